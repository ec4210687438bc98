// Serves the oidc-client-ts test SPA (test/interop/spa/) on its own loopback
// origin: every path answers index.html (a single-page app's routing), except
// the two scripts. The library is its own browser build from node_modules.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface SpaServer {
  origin: string;
  close(): Promise<void>;
}

// The package's exports map hides dist/browser from require.resolve; its package.json is exported.
const LIBRARY = join(dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')), 'dist/browser/oidc-client-ts.min.js');
const SPA = new URL('./spa/', import.meta.url);

export async function startSpaServer(settings: { authority: string; clientId: string }): Promise<SpaServer> {
  const html = (await readFile(new URL('index.html', SPA), 'utf8'))
    .replace('{{authority}}', settings.authority)
    .replace('{{clientId}}', settings.clientId);
  const files: Record<string, { type: string; body: string }> = {
    '/oidc-client-ts.min.js': { type: 'text/javascript', body: await readFile(LIBRARY, 'utf8') },
    '/app.js': { type: 'text/javascript', body: await readFile(new URL('app.js', SPA), 'utf8') },
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa').pathname;
    const file = files[path] ?? { type: 'text/html; charset=utf-8', body: html };
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
