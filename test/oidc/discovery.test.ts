import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { DPOP_ALGS } from '../../src/http/middleware/dpop-proof.ts';
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

  it('serves the same document at the RFC 8414 §3.1 locations, with the same CORS', async () => {
    const own = await fetch(`${server.issuer}/.well-known/openid-configuration`, { headers: { origin: 'https://rp.example' } });
    const expected = await own.json();
    for (const path of ['/.well-known/oauth-authorization-server/oidc', '/.well-known/openid-configuration/oidc']) {
      const res = await fetch(`${server.url}${path}`, { headers: { origin: 'https://rp.example' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), own.headers.get('access-control-allow-origin'), path);
      assert.deepEqual(await res.json(), expected, path);
    }
  });

  it('lets openid-client discover the server as an OAuth 2.0 authorization server (algorithm oauth2)', async () => {
    const config = await oidc.discovery(new URL(server.issuer), 'any-client', undefined, oidc.None(), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.issuer);
    assert.equal(metadata.token_endpoint, `${server.issuer}/token`);
  });

  it('advertises PAR and DPoP exactly as served', async () => {
    const doc = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.pushed_authorization_request_endpoint, `${server.issuer}/request`);
    // The algorithms /api/v1 checks proofs with are the ones the token endpoint binds tokens for.
    assert.deepEqual(doc.dpop_signing_alg_values_supported, DPOP_ALGS);
    const par = await fetch(`${server.issuer}/request`, { method: 'POST' });
    assert.notEqual(par.status, 404, 'the PAR endpoint is served');
  });
});
