// /api/v1/me, /me/password and /me/sessions: every row, success and named failure.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { api, assertError, bearer, login, type Tokens } from '../support/api.ts';
import { CLIENTS, USER, authorize } from '../oidc/fixtures.ts';
import * as oidc from 'openid-client';

const PASSWORD = 'correct horse battery staple';
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

describe('/api/v1/me', function () {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ clients: Object.values(CLIENTS) as never });
  });
  after(() => server?.close());

  async function signedIn(tag: string, headers: Record<string, string> = {}): Promise<{ email: string; tokens: Tokens }> {
    const email = uniqueEmail(tag);
    await createTestAccount(server, { email, password: PASSWORD, name: 'Mia' });
    return { email, tokens: await login(server, { email, password: PASSWORD }, headers) };
  }

  describe('bearer check', () => {
    it('answers 401 UNAUTHENTICATED with WWW-Authenticate for a missing, malformed or forged token', async () => {
      const { tokens } = await signedIn('bearer');
      const [header, payload] = tokens.access_token.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token), role: 'admin' })).toString('base64url')}.${tokens.access_token.split('.')[2]}`;
      for (const authorization of [undefined, 'Bearer', 'Basic abc', `Bearer ${header}.${payload}.`, `Bearer ${forged}`, `Bearer ${tokens.refresh_token}`]) {
        const req = api(server).get('/api/v1/me');
        const res = authorization === undefined ? await req : await req.set('Authorization', authorization);
        assertError(res, 401, 'UNAUTHENTICATED');
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
      }
    });

    it('refuses an ID token and a token without a user (client_credentials)', async () => {
      const { tokens } = await signedIn('id-token');
      assertError(await api(server).get('/api/v1/me').set(bearer(tokens.id_token!)), 401, 'UNAUTHENTICATED');
      const cc = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${CLIENTS.service.client_id}:${CLIENTS.service.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: server.config.apiAudience, scope: 'api' }),
      });
      const ccBody = (await cc.json()) as { access_token?: string };
      assert.equal(cc.status, 200, JSON.stringify(ccBody));
      assertError(await api(server).get('/api/v1/me').set(bearer(ccBody.access_token!)), 401, 'UNAUTHENTICATED');
    });

    it('answers 404 for an unknown /api/v1 path, with or without a token', async () => {
      const { tokens } = await signedIn('not-found');
      assertError(await api(server).get('/api/v1/nope'), 404, 'NOT_FOUND');
      assertError(await api(server).get('/api/v1/nope').set(bearer(tokens.access_token)), 404, 'NOT_FOUND');
    });
  });

  describe('GET and PATCH /me', () => {
    it('returns the user without secrets', async () => {
      const { email, tokens } = await signedIn('me');
      const res = await api(server).get('/api/v1/me').set(bearer(tokens.access_token));
      assert.equal(res.status, 200);
      assert.equal(res.body.email, email);
      assert.equal(res.body.name, 'Mia');
      assert.deepEqual(Object.keys(res.body).sort(), ['created_at', 'email', 'email_verified', 'id', 'name', 'permissions', 'picture', 'role', 'updated_at']);
    });

    it('changes the name, and clears it with null', async () => {
      const { tokens } = await signedIn('patch');
      const renamed = await api(server).patch('/api/v1/me').set(bearer(tokens.access_token)).send({ name: '  Ada Lovelace ' });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.name, 'Ada Lovelace');
      assert.equal((await api(server).get('/api/v1/me').set(bearer(tokens.access_token))).body.name, 'Ada Lovelace');
      assert.equal((await api(server).patch('/api/v1/me').set(bearer(tokens.access_token)).send({ name: null })).body.name, null);
    });

    it('answers 400 VALIDATION_FAILED for a bad name and 401 without a token', async () => {
      const { tokens } = await signedIn('patch-bad');
      assertError(await api(server).patch('/api/v1/me').set(bearer(tokens.access_token)).send({ name: 42 }), 400, 'VALIDATION_FAILED');
      assertError(await api(server).patch('/api/v1/me').send({ name: 'x' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('DELETE /me', () => {
    it('answers 403 WRONG_PASSWORD and keeps the account', async () => {
      const { email, tokens } = await signedIn('delete-wrong');
      assertError(await api(server).delete('/api/v1/me').set(bearer(tokens.access_token)).send({ password: 'not my password' }), 403, 'WRONG_PASSWORD');
      assert.ok(await server.store.accounts.findByEmail(email));
    });

    it('removes the account with its sessions, grants, tokens and one-time tokens', async () => {
      const { email, tokens } = await signedIn('delete');
      const other = await login(server, { email, password: PASSWORD });
      const accountId = String(tokens.user.id);
      await api(server).post('/api/v1/auth/password-reset').send({ email });
      assert.equal((await api(server).delete('/api/v1/me').set(bearer(tokens.access_token)).send({ password: PASSWORD })).status, 204);

      assert.equal(await server.store.accounts.findById(accountId), undefined);
      assert.deepEqual(await server.store.sessions.findLiveByAccount(accountId, new Date()), []);
      assert.equal(await server.store.oidc.revokeByAccountId(accountId), 0, 'no OIDC record of the account is left');
      for (const t of [tokens, other]) {
        assertError(await api(server).get('/api/v1/me').set(bearer(t.access_token)), 401, 'UNAUTHENTICATED');
        assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: t.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      }
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    });
  });

  describe('POST /me/password', () => {
    it('answers 403 WRONG_PASSWORD for a wrong current password and 400 WEAK_PASSWORD for a weak new one', async () => {
      const { tokens } = await signedIn('password-bad');
      assertError(await api(server).post('/api/v1/me/password').set(bearer(tokens.access_token)).send({ current_password: 'wrong one!', new_password: 'a fine new passphrase' }), 403, 'WRONG_PASSWORD');
      assertError(await api(server).post('/api/v1/me/password').set(bearer(tokens.access_token)).send({ current_password: PASSWORD, new_password: 'letmein1' }), 400, 'WEAK_PASSWORD');
    });

    it('changes the password and ends every other session, keeping the current one', async () => {
      const { email, tokens: current } = await signedIn('password');
      const other = await login(server, { email, password: PASSWORD });
      const newPassword = 'a fine new passphrase';
      assert.equal((await api(server).post('/api/v1/me/password').set(bearer(current.access_token)).send({ current_password: PASSWORD, new_password: newPassword })).status, 204);
      assert.equal((await api(server).get('/api/v1/me').set(bearer(current.access_token))).status, 200);
      assert.equal((await api(server).post('/api/v1/auth/refresh').send({ refresh_token: current.refresh_token })).status, 200);
      assertError(await api(server).get('/api/v1/me').set(bearer(other.access_token)), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: other.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
      await login(server, { email, password: newPassword });
    });
  });

  describe('sessions', () => {
    it('lists live sessions with device details, marking the current one', async () => {
      const { email, tokens } = await signedIn('list', { 'X-Device-Name': 'Mia phone', 'X-Device-Type': 'mobile', 'User-Agent': 'GatehouseTest/1.0' });
      await login(server, { email, password: PASSWORD }, { 'X-Device-Type': 'desktop' });
      const res = await api(server).get('/api/v1/me/sessions').set(bearer(tokens.access_token));
      assert.equal(res.status, 200);
      assert.equal(res.body.length, 2);
      const current = res.body.find((s: { current: boolean }) => s.current);
      assert.equal(current.id, decodeJwt(tokens.access_token).sid);
      assert.equal(current.device_name, 'Mia phone');
      assert.equal(current.device_type, 'mobile');
      assert.equal(current.user_agent, 'GatehouseTest/1.0');
      assert.equal(current.ip_address, '127.0.0.1');
      for (const key of ['created_at', 'last_active_at', 'expires_at']) assert.ok(!Number.isNaN(Date.parse(current[key])));
      assert.equal(res.body.filter((s: { current: boolean }) => !s.current)[0].device_type, 'desktop');
    });

    it('cuts the user agent at 512 characters and ignores X-Forwarded-For without TRUST_PROXY_HOPS', async () => {
      const { tokens } = await signedIn('ua', { 'User-Agent': 'u'.repeat(600), 'X-Forwarded-For': '203.0.113.9' });
      const [session] = (await api(server).get('/api/v1/me/sessions').set(bearer(tokens.access_token))).body;
      assert.equal(session.user_agent.length, 512);
      assert.equal(session.ip_address, '127.0.0.1');
    });

    it('ends one session: its access token fails at once, its refresh token too; it is no longer listed', async () => {
      const { email, tokens: current } = await signedIn('revoke-one');
      const other = await login(server, { email, password: PASSWORD });
      const otherId = String(decodeJwt(other.access_token).sid);
      assert.equal((await api(server).delete(`/api/v1/me/sessions/${otherId}`).set(bearer(current.access_token))).status, 204);
      assertError(await api(server).get('/api/v1/me').set(bearer(other.access_token)), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: other.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      const listed = (await api(server).get('/api/v1/me/sessions').set(bearer(current.access_token))).body as Array<{ id: string }>;
      assert.deepEqual(listed.map((s) => s.id), [decodeJwt(current.access_token).sid]);
      assertError(await api(server).delete(`/api/v1/me/sessions/${otherId}`).set(bearer(current.access_token)), 404, 'SESSION_NOT_FOUND');
    });

    it('answers 404 SESSION_NOT_FOUND for an unknown id and for another user\'s session, which stays live', async () => {
      const { tokens: mine } = await signedIn('mine');
      const { tokens: theirs } = await signedIn('theirs');
      assertError(await api(server).delete('/api/v1/me/sessions/does-not-exist').set(bearer(mine.access_token)), 404, 'SESSION_NOT_FOUND');
      const theirId = String(decodeJwt(theirs.access_token).sid);
      assertError(await api(server).delete(`/api/v1/me/sessions/${theirId}`).set(bearer(mine.access_token)), 404, 'SESSION_NOT_FOUND');
      assert.equal((await api(server).get('/api/v1/me').set(bearer(theirs.access_token))).status, 200);
    });

    it('ends all but the current session and says how many', async () => {
      const { email, tokens: current } = await signedIn('revoke-others');
      const others = [await login(server, { email, password: PASSWORD }), await login(server, { email, password: PASSWORD })];
      const res = await api(server).delete('/api/v1/me/sessions').set(bearer(current.access_token));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { revoked: 2 });
      for (const t of others) assertError(await api(server).get('/api/v1/me').set(bearer(t.access_token)), 401, 'UNAUTHENTICATED');
      assert.equal((await api(server).get('/api/v1/me').set(bearer(current.access_token))).status, 200);
    });

    it('lists a browser sign-in through the pages as a session, and ending it revokes the tokens of its grants', async () => {
      // USER signs in through the login and consent pages (code flow with PKCE).
      await createTestAccount(server, { ...USER, emailVerified: true });
      const config = await oidc.discovery(new URL(server.issuer), CLIENTS.web.client_id, undefined, oidc.ClientSecretBasic(CLIENTS.web.client_secret), { execute: [oidc.allowInsecureRequests] });
      const { callback, verifier, state, nonce } = await authorize(config, { resource: server.config.apiAudience, scope: 'openid offline_access api' });
      const browser = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, { resource: server.config.apiAudience });
      const browserSid = String(decodeJwt(browser.access_token).sid);

      const api1 = await login(server, { email: USER.email, password: USER.password });
      const listed = (await api(server).get('/api/v1/me/sessions').set(bearer(api1.access_token))).body as Array<{ id: string; current: boolean }>;
      assert.ok(listed.some((s) => s.id === browserSid && !s.current), 'the browser session is listed');
      assert.equal((await api(server).get('/api/v1/me').set(bearer(browser.access_token))).status, 200);

      assert.equal((await api(server).delete(`/api/v1/me/sessions/${browserSid}`).set(bearer(api1.access_token))).status, 204);
      assertError(await api(server).get('/api/v1/me').set(bearer(browser.access_token)), 401, 'UNAUTHENTICATED');
      await assert.rejects(oidc.refreshTokenGrant(config, browser.refresh_token!), (err: { error?: string }) => err.error === 'invalid_grant');
    });
  });
});
