// Who may introspect, revoke and receive API tokens, and which redirect URIs
// a client may register: each refusal as a rival client would try it.
import { strict as assert } from 'node:assert';
import { CLIENTS, SECRET, authorize, codeFlow, startFixture, tokenRequest, type Fixture } from './fixtures.ts';
import { Provider } from 'oidc-provider';
import { extraClientMetadata } from '../../src/oidc/client-policies.ts';

type Client = { client_id: string; client_secret: string };
const basic = (client: Client) => `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

describe('client policies', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  async function post(path: string, client: Client, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${fx.server.issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
      body: new URLSearchParams(form),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  const introspect = (client: Client, token: string) => post('/token/introspection', client, { token });

  describe('introspection', () => {
    it('tells another client nothing about a token: {"active": false}', async () => {
      const { tokens } = await codeFlow(await fx.rp(CLIENTS.web));
      const res = await introspect(CLIENTS.other, tokens.access_token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { active: false });
      const refresh = await introspect(CLIENTS.other, tokens.refresh_token!);
      assert.deepEqual(refresh.body, { active: false });
    });

    it('answers the token\'s own client and a client flagged resource_server', async () => {
      const { tokens } = await codeFlow(await fx.rp(CLIENTS.web));
      for (const client of [CLIENTS.web, CLIENTS.resourceServer]) {
        const res = await introspect(client, tokens.access_token);
        assert.equal(res.body.active, true, client.client_id);
        assert.equal(res.body.client_id, CLIENTS.web.client_id);
        assert.equal(res.body.sub, fx.accountId);
      }
    });
  });

  describe('revocation', () => {
    it('answers 200 to another client revoking a token, and the token keeps working', async () => {
      const { tokens } = await codeFlow(await fx.rp(CLIENTS.web));
      for (const token of [tokens.access_token, tokens.refresh_token!]) {
        const res = await post('/token/revocation', CLIENTS.other, { token });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      assert.equal((await introspect(CLIENTS.web, tokens.access_token)).body.active, true);
      const refreshed = await tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    });
  });

  describe('the API resource', () => {
    it('is refused to a client_credentials client without api_access', async () => {
      const res = await tokenRequest(fx.server, CLIENTS.other, { grant_type: 'client_credentials', resource: fx.server.config.apiAudience, scope: 'api' });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'invalid_target');
      assert.equal(res.body.access_token, undefined);
    });

    it('is refused in the code flow to a third-party client without api_access', async () => {
      const config = await fx.rp(CLIENTS.other);
      const { callback } = await authorize(config, { scope: 'openid api', resource: fx.server.config.apiAudience });
      assert.equal(callback.searchParams.get('error'), 'invalid_target');
      assert.equal(callback.searchParams.get('code'), null);
    });

    it('is granted to a client flagged api_access', async () => {
      const res = await tokenRequest(fx.server, CLIENTS.service, { grant_type: 'client_credentials', resource: fx.server.config.apiAudience, scope: 'api' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  });
});

describe('redirect URI rules (extraClientMetadata through oidc-provider\'s own client validation)', function () {
  // The wiring into the server is pinned by test/process/config-exit.test.ts
  // (a CLIENTS_FILE with an http redirect URI stops the start).
  const provider = new Provider('https://id.example.com/oidc', { features: { devInteractions: { enabled: false } }, extraClientMetadata: extraClientMetadata({ loopbackWebAllowed: false }) });
  const client = (redirect: string, extra: Record<string, unknown> = {}) => ({
    client_id: 'app', client_secret: SECRET, redirect_uris: [redirect], ...extra,
  });

  async function refusal(metadata: Record<string, unknown>): Promise<string | undefined> {
    try {
      await provider.Client.validate(metadata as never);
      return undefined;
    } catch (err) {
      return (err as { error_description?: string }).error_description ?? String(err);
    }
  }

  it('refuses http redirect URIs of web clients, loopback included, with a reason naming redirect_uris', async () => {
    for (const uri of ['http://app.example.com/cb', 'http://127.0.0.1:8080/cb', 'http://localhost/cb']) {
      assert.match((await refusal(client(uri))) ?? 'accepted', /redirect_uris must use https/, uri);
    }
    assert.match((await refusal(client('https://app.example.com/cb', { post_logout_redirect_uris: ['http://app.example.com/'] }))) ?? 'accepted', /post_logout_redirect_uris/);
    assert.match((await refusal(client('http://app.example.com/cb', { application_type: 'native' }))) ?? 'accepted', /loopback/);
  });

  it('accepts loopback http for native clients, and https for web clients', async () => {
    assert.equal(await refusal(client('http://127.0.0.1:8080/cb', { application_type: 'native' })), undefined);
    assert.equal(await refusal(client('https://app.example.com/cb')), undefined);
  });

  it('accepts loopback http for web clients on a development server (PUBLIC_URL on loopback http) only', async () => {
    const dev = new Provider('http://127.0.0.1:3000/oidc', { features: { devInteractions: { enabled: false } }, extraClientMetadata: extraClientMetadata({ loopbackWebAllowed: true }) });
    await dev.Client.validate(client('http://localhost:8080/cb') as never);
    await assert.rejects(dev.Client.validate(client('http://app.example.com/cb') as never), (err: { error_description?: string }) => /redirect_uris must use https/.test(err.error_description ?? ''));
  });

  it('refuses a non-boolean api_access or resource_server', async () => {
    assert.match((await refusal(client('https://app.example.com/cb', { api_access: 'yes' }))) ?? 'accepted', /api_access must be a boolean/);
    assert.match((await refusal(client('https://app.example.com/cb', { resource_server: 1 }))) ?? 'accepted', /resource_server must be a boolean/);
  });
});
