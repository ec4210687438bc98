import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CLIENTS, CALLBACK, USER, authorize, codeFlow, startFixture, type Fixture } from './fixtures.ts';
import { PageSession } from '../support/page-session.ts';

describe('authorization code flow with PKCE', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  it('signs in through the login and consent pages and returns a valid ID token', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens, pages } = await codeFlow(config);
    assert.deepEqual(pages, ['login', 'consent']);
    // openid-client has already checked signature, iss, aud, exp, nonce.
    const claims = tokens.claims()!;
    assert.equal(claims.iss, fx.server.issuer);
    assert.equal(claims.aud, CLIENTS.web.client_id);
    assert.equal(claims.sub, fx.accountId);
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');
  });

  it('serves userinfo with the claims of the granted scopes only', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid email' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, fx.accountId);
    assert.deepEqual(info, { sub: fx.accountId, email: USER.email, email_verified: true });
    const { tokens: withProfile } = await codeFlow(config, { scope: 'openid profile role' });
    const more = await oidc.fetchUserInfo(config, withProfile.access_token, fx.accountId);
    assert.deepEqual(more, { sub: fx.accountId, name: USER.name, role: 'user' });
  });

  it('remembers consent within the browser session for the same scopes', async () => {
    const config = await fx.rp(CLIENTS.web);
    const session = new PageSession();
    await codeFlow(config, {}, session);
    const { pages } = await codeFlow(config, { prompt: '' }, session);
    assert.deepEqual(pages, []);
  });

  it('lets first-party clients skip the consent page', async () => {
    const config = await fx.rp(CLIENTS.firstParty);
    const { pages, tokens } = await codeFlow(config, { prompt: 'login' });
    assert.deepEqual(pages, ['login']);
    assert.equal(tokens.claims()!.sub, fx.accountId);
  });

  it('gives code-flow clients JWT access tokens for the API carrying sub, sid, scope and role', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid api', resource: fx.server.config.apiAudience });
    const jwks = createRemoteJWKSet(new URL(`${fx.server.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: fx.server.issuer,
      audience: fx.server.config.apiAudience,
      typ: 'at+jwt',
    });
    assert.equal(payload.sub, fx.accountId);
    assert.equal(payload.scope, 'api');
    assert.equal(payload.role, 'user');
    assert.ok(typeof payload.sid === 'string' && payload.sid.length > 0);
  });

  /** An authorization request sent as-is; returns the error redirect's parameters. */
  async function authorizationError(extra: Record<string, string>): Promise<URLSearchParams> {
    const url = new URL(`${fx.server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: CLIENTS.web.client_id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'xyz',
      ...extra,
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.origin + location.pathname, CALLBACK);
    return location.searchParams;
  }

  it('refuses an authorization request without a PKCE challenge', async () => {
    const params = await authorizationError({});
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description')!, /PKCE/);
  });

  it('refuses PKCE method plain', async () => {
    const params = await authorizationError({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    assert.equal(params.get('error'), 'invalid_request');
  });

  it('refuses a code exchanged with the wrong verifier', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { callback, state } = await authorize(config, { scope: 'openid' });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state }),
      (err: { error?: string }) => err.error === 'invalid_grant',
    );
  });

  it('denies access when the user cancels at consent', async () => {
    const { callback, pages } = await authorize(await fx.rp(CLIENTS.web), { scope: 'openid' }, new PageSession(), 'cancel');
    assert.deepEqual(pages, ['login', 'consent']);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
  });
});
