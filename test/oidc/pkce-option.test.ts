// require_pkce: false (API.md): a confidential client may leave PKCE out and
// then must send nonce (RFC 9700 §2.1.1); public clients may not; every
// other client still needs PKCE S256 on every request.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { api, assertError, bearer, login } from '../support/api.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { CALLBACK, SECRET, USER, authorize } from './fixtures.ts';

const NO_PKCE = {
  client_id: 'passport-app',
  client_secret: SECRET,
  redirect_uris: [CALLBACK],
  grant_types: ['authorization_code', 'refresh_token'],
  require_pkce: false,
};
const WITH_PKCE = { ...NO_PKCE, client_id: 'pkce-app', require_pkce: undefined };
const PUBLIC_NO_PKCE = { client_id: 'spa-no-pkce', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none', require_pkce: false };
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
/** Leaves PKCE out of authorize()'s request (oidc-provider treats empty parameters as absent). */
const NO_CHALLENGE = { code_challenge: '', code_challenge_method: '' };

describe('require_pkce: false for confidential clients', function () {
  let server: TestServer;
  let rp: (client: { client_id: string }) => Promise<oidc.Configuration>;
  before(async () => {
    server = await startTestServer({ clients: [NO_PKCE, WITH_PKCE] });
    await createTestAccount(server, { ...USER, emailVerified: true });
    await createTestAccount(server, { ...ADMIN, role: 'admin' });
    rp = (client) => oidc.discovery(new URL(server.issuer), client.client_id, undefined, oidc.ClientSecretBasic(SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  after(() => server.close());

  it('signs in without PKCE when the request carries a nonce, and the ID token carries it back', async () => {
    const config = await rp(NO_PKCE);
    const { callback, state, nonce } = await authorize(config, { scope: 'openid email', ...NO_CHALLENGE });
    assert.ok(callback.searchParams.get('code'), callback.href);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.claims()!.nonce, nonce);
  });

  it('refuses such a request without nonce, or without scope openid', async () => {
    for (const params of [{ nonce: '' }, { scope: 'email' }] as Array<Record<string, string>>) {
      const { callback } = await authorize(await rp(NO_PKCE), { scope: 'openid', ...NO_CHALLENGE, ...params });
      assert.equal(callback.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
      assert.match(callback.searchParams.get('error_description')!, /nonce/);
    }
  });

  it('still takes PKCE from that client', async () => {
    const config = await rp(NO_PKCE);
    const { callback, state, verifier } = await authorize(config, { scope: 'openid', nonce: '' });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { expectedState: state, pkceCodeVerifier: verifier });
    assert.ok(tokens.access_token);
  });

  it('leaves the default unchanged: a confidential client without the flag must use PKCE, nonce or not', async () => {
    const { callback } = await authorize(await rp(WITH_PKCE), { scope: 'openid', ...NO_CHALLENGE });
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.match(callback.searchParams.get('error_description')!, /PKCE/);
  });

  it('is accepted by the admin API for a confidential client and refused for a public one', async () => {
    const admin = (await login(server, ADMIN)).access_token;
    const created = await api(server).post('/api/v1/admin/clients').set(bearer(admin))
      .send({ client_id: 'api-no-pkce', redirect_uris: ['https://app.example.com/cb'], require_pkce: false });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.require_pkce, false);
    const refused = await api(server).post('/api/v1/admin/clients').set(bearer(admin))
      .send({ ...PUBLIC_NO_PKCE, redirect_uris: ['https://app.example.com/cb'] });
    assertError(refused, 400, 'INVALID_CLIENT_METADATA');
    assert.match(refused.body.error.message, /require_pkce: false is allowed only for confidential clients/);
  });
});

describe('require_pkce in CLIENTS_FILE', function () {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-pkce-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses to start with a public client registered with require_pkce: false, naming the file and client', async () => {
    const file = join(dir, 'clients.json');
    await writeFile(file, JSON.stringify([PUBLIC_NO_PKCE]));
    await assert.rejects(startTestServer({ env: { CLIENTS_FILE: file } }), (err: Error) => {
      assert.match(err.message, /CLIENTS_FILE .*clients\.json: client spa-no-pkce: require_pkce: false is allowed only for confidential clients/);
      return true;
    });
  });
});
