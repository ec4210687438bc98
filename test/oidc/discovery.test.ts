import { strict as assert } from 'node:assert';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('discovery and JWKS', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('publishes the issuer and every endpoint under /oidc', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, server.issuer);
    assert.equal(doc.userinfo_endpoint, `${server.issuer}/userinfo`);
    for (const [key, path] of [
      ['authorization_endpoint', '/auth'],
      ['token_endpoint', '/token'],
      ['jwks_uri', '/jwks'],
      ['introspection_endpoint', '/token/introspection'],
      ['revocation_endpoint', '/token/revocation'],
      ['end_session_endpoint', '/session/end'],
    ]) {
      assert.equal(doc[key!], `${server.issuer}${path}`, key);
    }
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(doc.response_types_supported, ['code']);
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials', 'password']) {
      assert.ok((doc.grant_types_supported as string[]).includes(grant), grant);
    }
    assert.ok((doc.scopes_supported as string[]).includes('role'));
  });

  it('serves public signing keys only: RS256 for ID tokens and ES256 for access tokens', async () => {
    const res = await fetch(`${server.issuer}/jwks`);
    assert.equal(res.status, 200);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      assert.ok(typeof key.kid === 'string' && key.kid.length > 0);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined, `private member ${secret}`);
    }
  });
});
