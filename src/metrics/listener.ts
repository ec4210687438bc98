// The metrics listener: its own port (METRICS_PORT) on loopback by default
// (METRICS_HOST), never the public one, because the counts describe the
// deployment (traffic, failed sign-ins, locks) to whoever can read them.
// A bare node:http server: one route, no middleware, no cookies.
import { createServer, type Server } from 'node:http';

/** A registry, or the cluster primary's sum of its workers' (prometheus.ts). */
export interface MetricsSource {
  metrics(): Promise<string>;
  contentType: string;
}

export interface MetricsListener {
  server: Server;
  close(): Promise<void>;
}

/** Where to scrape, for the start line. */
export const metricsUrlOf = ({ host, port }: { host: string; port: number }) => `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;

export async function listenForMetrics(registry: MetricsSource, options: { port: number; host: string }): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n'),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
