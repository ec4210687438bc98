// Clients from CLIENTS_FILE across restarts on the same database: the file
// stays their truth, a client removed from it stops working at the next
// start (with its grants and tokens gone), and API clients are left alone.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, bearer, login } from '../support/api.ts';
import { freePort } from '../support/free-port.ts';
import { clientCredentialsStatus, tokenRequest } from '../support/oauth-client.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { hashId } from '../../src/oidc/stored-ids.ts';

const SECRET = 'a-file-client-secret-long-enough-0123456789';
const PASSWORD = 'correct horse battery staple';
const KEPT = { client_id: 'kept', client_secret: SECRET, redirect_uris: [], response_types: [], grant_types: ['client_credentials'], resource_server: true };
const REMOVED = {
  client_id: 'removed', client_secret: SECRET, redirect_uris: [], response_types: [], grant_types: ['password', 'refresh_token'], first_party: true,
};

describe('clients from CLIENTS_FILE across restarts', function () {
  this.timeout(120_000);
  let dataDir: string;
  let port: number;
  let server: TestServer | undefined;

  const start = (clients: object[]) => startTestServer({ port, env: { DATA_DIR: dataDir }, clients: clients as never });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-clients-file-'));
    port = await freePort();
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('deletes a client removed from the file, with its grants and tokens, and leaves API clients alone', async () => {
    server = await start([KEPT, REMOVED]);
    await createTestAccount(server, { email: 'admin@example.com', password: PASSWORD, role: 'admin' });
    await createTestAccount(server, { email: 'user@example.com', password: PASSWORD });
    let admin = (await login(server, { email: 'admin@example.com', password: PASSWORD })).access_token;
    const created = await api(server).post('/api/v1/admin/clients').set(bearer(admin))
      .send({ client_id: 'from-api', redirect_uris: [], response_types: [], grant_types: ['client_credentials'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const signedIn = await tokenRequest(server, REMOVED, { grant_type: 'password', username: 'user@example.com', password: PASSWORD, scope: 'openid offline_access' });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal((await server.store.clients.find('removed'))?.source, 'file');
    const storedRefresh = await server.store.oidc.find('RefreshToken', hashId(String(signedIn.body.refresh_token)));
    const grantId = String(storedRefresh?.payload.grantId);
    assert.ok(await server.store.oidc.find('Grant', grantId));
    await server.close();

    server = await start([KEPT]);
    assert.equal(await server.store.clients.find('removed'), undefined);
    assert.equal(await server.store.oidc.find('RefreshToken', hashId(String(signedIn.body.refresh_token))), undefined);
    assert.equal(await server.store.oidc.find('Grant', grantId), undefined);
    const refreshed = await tokenRequest(server, REMOVED, { grant_type: 'refresh_token', refresh_token: String(signedIn.body.refresh_token) });
    assert.equal(refreshed.status, 401);
    assert.equal(refreshed.body.error, 'invalid_client');
    const introspection = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`kept:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ token: String(signedIn.body.refresh_token) }),
    });
    assert.deepEqual(await introspection.json(), { active: false });
    assert.equal(await clientCredentialsStatus(server, 'kept', SECRET), 200);
    assert.equal(await clientCredentialsStatus(server, 'from-api', created.body.client_secret), 200, 'the API client is untouched');

    admin = (await login(server, { email: 'admin@example.com', password: PASSWORD })).access_token;
    const list = await api(server).get('/api/v1/admin/clients').set(bearer(admin));
    const sources = Object.fromEntries(list.body.items.map((c: { client_id: string; source: string; built_in: boolean }) => [c.client_id, [c.source, c.built_in]]));
    // The two built-in clients (the JSON API's and the consoles') are listed as read-only file clients.
    assert.deepEqual(sources, {
      'from-api': ['api', false], gatehouse: ['file', true], 'gatehouse-console': ['file', true], kept: ['file', false],
    });
  });
});
