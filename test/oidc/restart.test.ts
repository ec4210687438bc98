import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { freePort } from '../support/free-port.ts';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { PageSession } from '../support/page-session.ts';
import { CLIENTS, USER, codeFlow } from './fixtures.ts';

// The same DATA_DIR and port, a new process-level server: what a deploy or a
// crash does. Everything a user holds (browser session cookie, refresh token,
// access token) must survive it.
describe('restart on the same embedded database', function () {
  this.timeout(60_000);
  let dataDir: string;
  let port: number;
  let server: TestServer | undefined;

  const start = () => startTestServer({ port, env: { DATA_DIR: dataDir }, clients: Object.values(CLIENTS) as never });
  const rp = (s: TestServer) =>
    oidc.discovery(new URL(s.issuer), CLIENTS.web.client_id, undefined, oidc.ClientSecretBasic(CLIENTS.web.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-restart-'));
    port = await freePort();
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps signing keys, the browser session and refresh tokens valid', async () => {
    server = await start();
    await createTestAccount(server, { ...USER, emailVerified: true });
    const session = new PageSession();
    const first = await codeFlow(await rp(server), {}, session);
    const kidsBefore = await kids(server);
    await server.close();

    server = await start();
    assert.deepEqual(await kids(server), kidsBefore, 'same signing keys');
    const config = await rp(server);
    assert.equal((await oidc.tokenIntrospection(config, first.tokens.access_token)).active, true, 'access token still active');
    const refreshed = await oidc.refreshTokenGrant(config, first.tokens.refresh_token!);
    // openid-client verified the new ID token's signature against the same JWKS.
    assert.equal(refreshed.claims()!.sub, first.tokens.claims()!.sub);
    // The browser is still signed in: no login page, straight to the client.
    const again = await codeFlow(config, { prompt: '' }, session);
    assert.deepEqual(again.pages, []);
  });
});

async function kids(server: TestServer): Promise<string[]> {
  const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((k) => k.kid).sort();
}
