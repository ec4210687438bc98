// PAR (RFC 9126) and DPoP (RFC 9449) as openid-client uses them.
import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { CLIENTS, CALLBACK, authorize, signInAt, startFixture, type Fixture } from './fixtures.ts';

describe('pushed authorization requests (RFC 9126)', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  /** The code flow with its parameters pushed first; the browser carries only client_id and request_uri. */
  async function parFlow(client: { client_id: string; client_secret?: string }) {
    const config = await fx.rp(client);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const { callback } = await signInAt(url);
    return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  }

  it('runs the code flow from a pushed request', async () => {
    const tokens = await parFlow(CLIENTS.web);
    assert.equal(tokens.claims()!.sub, fx.accountId);
  });

  it('lets a client registered with require_pushed_authorization_requests sign in with PAR, and refuses it without', async () => {
    const tokens = await parFlow(CLIENTS.parOnly);
    assert.equal(tokens.claims()!.sub, fx.accountId);
    const { callback } = await authorize(await fx.rp(CLIENTS.parOnly), { scope: 'openid' });
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.match(callback.searchParams.get('error_description')!, /pushed authorization request/i);
  });
});

describe('DPoP-bound tokens (RFC 9449)', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  async function dpopCodeFlow(client: { client_id: string; client_secret?: string }, params: Record<string, string>) {
    const config = await fx.rp(client);
    const key = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, key);
    const { callback, verifier, state, nonce } = await authorize(config, params);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined, { DPoP });
    return { config, DPoP, tokens };
  }

  it('binds a confidential client\'s API access tokens to its key, at the code exchange and at every refresh', async () => {
    const { config, DPoP, tokens } = await dpopCodeFlow(CLIENTS.web, { scope: 'openid api offline_access', resource: fx.server.config.apiAudience });
    assert.equal(tokens.token_type, 'dpop');
    const me = new URL(`${fx.server.url}/api/v1/me`);
    const jkt = (decodeJwt(tokens.access_token).cnf as { jkt?: string } | undefined)?.jkt;
    assert.ok(jkt, 'the access token carries cnf.jkt');

    const withProof = await oidc.fetchProtectedResource(config, tokens.access_token, me, 'GET', undefined, undefined, { DPoP });
    assert.equal(withProof.status, 200);
    const asBearer = await fetch(me, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(asBearer.status, 401);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
    assert.equal((decodeJwt(refreshed.access_token).cnf as { jkt?: string }).jkt, jkt);
    const again = await oidc.fetchProtectedResource(config, refreshed.access_token, me, 'GET', undefined, undefined, { DPoP });
    assert.equal(again.status, 200);
  });

  it('binds a public client\'s refresh token to its key: a refresh with another key is refused', async () => {
    const { config, DPoP, tokens } = await dpopCodeFlow(CLIENTS.spa, { scope: 'openid offline_access' });
    assert.equal(tokens.token_type, 'dpop');
    // Userinfo honours the binding too: a proof is needed, a bearer is refused.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, fx.accountId, { DPoP });
    assert.equal(info.sub, fx.accountId);
    const bearer = await fetch(`${fx.server.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(bearer.status, 401);

    const otherKey = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: otherKey }), (err: { error?: string }) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: { error?: string }) => err.error === 'invalid_grant');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
  });
});
