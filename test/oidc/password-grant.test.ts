import { strict as assert } from 'node:assert';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { CLIENTS, USER, startFixture, tokenRequest, type Fixture } from './fixtures.ts';
import { createTestAccount } from '../support/server.ts';

describe('password grant', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  const login = (client: { client_id: string; client_secret?: string }, username: string, password: string, scope = 'openid offline_access') =>
    tokenRequest(fx.server, client, { grant_type: 'password', username, password, scope });

  it('issues API tokens to a first-party client: a JWT access token with sub, sid, scope and role', async () => {
    const res = await login(CLIENTS.firstParty, USER.email, USER.password);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 900);
    assert.ok(res.body.refresh_token);
    assert.ok(res.body.id_token);
    const jwks = createRemoteJWKSet(new URL(`${fx.server.issuer}/jwks`));
    const at = String(res.body.access_token);
    const { payload } = await jwtVerify(at, jwks, { issuer: fx.server.issuer, audience: fx.server.config.apiAudience, typ: 'at+jwt' });
    assert.equal(payload.sub, fx.accountId);
    assert.equal(payload.role, 'user');
    assert.equal(payload.scope, 'api');
    assert.equal(payload.client_id, CLIENTS.firstParty.client_id);
    assert.ok(typeof payload.sid === 'string' && payload.sid.length > 0);
    const idToken = await jwtVerify(String(res.body.id_token), jwks, { issuer: fx.server.issuer, audience: CLIENTS.firstParty.client_id });
    assert.equal(decodeProtectedHeader(String(res.body.id_token)).alg, 'RS256');
    assert.equal(idToken.payload.sub, fx.accountId);
    assert.equal(idToken.payload.sid, payload.sid, 'ID token and access token name the same session');
  });

  it('gives each sign-in its own session id, kept across refresh', async () => {
    const a = await login(CLIENTS.firstParty, USER.email, USER.password);
    const b = await login(CLIENTS.firstParty, USER.email, USER.password);
    const sid = (t: unknown) => JSON.parse(Buffer.from(String(t).split('.')[1]!, 'base64url').toString()).sid;
    assert.notEqual(sid(a.body.access_token), sid(b.body.access_token));
    const refreshed = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'refresh_token', refresh_token: String(a.body.refresh_token) });
    assert.equal(refreshed.status, 200);
    assert.equal(sid(refreshed.body.access_token), sid(a.body.access_token));
    assert.notEqual(refreshed.body.refresh_token, a.body.refresh_token);
  });

  it('carries the account role into access tokens, also after refresh', async () => {
    await createTestAccount(fx.server, { email: 'admin@example.com', password: USER.password, role: 'admin' });
    const role = (t: unknown) => JSON.parse(Buffer.from(String(t).split('.')[1]!, 'base64url').toString()).role;
    const res = await login(CLIENTS.firstParty, 'admin@example.com', USER.password);
    assert.equal(role(res.body.access_token), 'admin');
    const refreshed = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'refresh_token', refresh_token: String(res.body.refresh_token) });
    assert.equal(role(refreshed.body.access_token), 'admin');
  });

  it('accepts the email in any case and with surrounding spaces (normalised)', async () => {
    const res = await login(CLIENTS.firstParty, `  ${USER.email.toUpperCase()} `, USER.password);
    assert.equal(res.status, 200);
  });

  it('refuses a client that is not flagged first-party with unauthorized_client', async () => {
    const res = await login(CLIENTS.thirdPartyPassword, USER.email, USER.password);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
  });

  it('refuses a client without the password grant with unauthorized_client', async () => {
    const res = await login(CLIENTS.web, USER.email, USER.password);
    assert.equal(res.body.error, 'unauthorized_client');
  });

  it('answers unknown email and wrong password identically', async () => {
    const wrong = await login(CLIENTS.firstParty, USER.email, 'not the password');
    const unknown = await login(CLIENTS.firstParty, 'nobody@example.com', 'not the password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
    assert.deepEqual(unknown, wrong);
  });

  it('refuses an unverified account while email verification is required', async () => {
    await createTestAccount(fx.server, { email: 'unverified@example.com', password: USER.password, emailVerified: false });
    const res = await login(CLIENTS.firstParty, 'unverified@example.com', USER.password);
    assert.equal(res.body.error, 'invalid_grant');
    assert.match(String(res.body.error_description), /not verified/);
  });

  it('refuses an unknown scope', async () => {
    const res = await login(CLIENTS.firstParty, USER.email, USER.password, 'openid admin:everything');
    assert.equal(res.body.error, 'invalid_scope');
  });

  it('refuses a missing password with invalid_request', async () => {
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email });
    assert.equal(res.body.error, 'invalid_request');
  });
});
