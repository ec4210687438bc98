// /api/v1/auth/*: every row of API.md's table, its success and each failure it names.
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { api, assertError, bearer, linkToken, login } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

describe('/api/v1/auth', function () {
  let server: TestServer;
  let smtp: SmtpCapture;

  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  const mailTo = (email: string, subject: RegExp) => smtp.waitFor((m) => m.to.includes(email) && subject.test(m.subject));

  describe('POST /register', () => {
    it('creates an unverified account, answers the user without secrets, and mails a verification link', async () => {
      const email = uniqueEmail('register');
      const res = await api(server).post('/api/v1/auth/register').send({ email: `  ${email.toUpperCase()} `, password: PASSWORD, name: 'Ada' });
      assert.equal(res.status, 201);
      assert.equal(res.body.verification_required, true);
      assert.deepEqual(Object.keys(res.body.user).sort(), ['created_at', 'email', 'email_verified', 'id', 'name', 'permissions', 'picture', 'role', 'updated_at']);
      assert.equal(res.body.user.email, email);
      assert.equal(res.body.user.email_verified, false);
      assert.equal(res.body.user.name, 'Ada');
      assert.equal(res.body.user.role, 'user');
      assert.ok(!JSON.stringify(res.body).includes('argon2'));
      const mail = await mailTo(email, /confirm your email/i);
      assert.ok(linkToken(mail, '/account/verify-email').length >= 22); // >= 128 bits in base64url
    });

    it('answers 409 EMAIL_EXISTS for a taken address, whatever its case or spacing', async () => {
      const email = uniqueEmail('taken');
      assert.equal((await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD })).status, 201);
      assertError(await api(server).post('/api/v1/auth/register').send({ email: ` ${email.toUpperCase()}`, password: PASSWORD }), 409, 'EMAIL_EXISTS');
    });

    it('lets exactly one of concurrent registrations of one address win', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(Array.from({ length: 5 }, () => api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
    });

    for (const [label, password, reason] of [
      ['too short', 'short1', /at least 8/],
      ['too long', 'x'.repeat(257), /at most 256/],
      ['common', 'password', /common/],
      ['common, any case', 'QwertyUIOP', /common/],
    ] as const) {
      it(`answers 400 WEAK_PASSWORD with the reason for a ${label} password`, async () => {
        const res = await api(server).post('/api/v1/auth/register').send({ email: uniqueEmail('weak'), password });
        assertError(res, 400, 'WEAK_PASSWORD');
        assert.match(res.body.error.message, reason);
      });
    }

    it('refuses the email as password', async () => {
      const email = uniqueEmail('same');
      const res = await api(server).post('/api/v1/auth/register').send({ email, password: email.toUpperCase() });
      assertError(res, 400, 'WEAK_PASSWORD');
      assert.match(res.body.error.message, /email/);
    });

    it('answers 400 VALIDATION_FAILED with details for a bad body', async () => {
      const res = await api(server).post('/api/v1/auth/register').send({ email: 'not-an-email', password: 12345678 });
      assertError(res, 400, 'VALIDATION_FAILED');
      const paths = (res.body.error.details as Array<{ path: string }>).map((d) => d.path).sort();
      assert.deepEqual(paths, ['email', 'password']);
    });
  });

  describe('POST /verify-email and /verify-email/resend', () => {
    it('verifies with the mailed token once; the token cannot be used again', async () => {
      const email = uniqueEmail('verify');
      await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD });
      const token = linkToken(await mailTo(email, /confirm your email/i), '/account/verify-email');
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 403, 'EMAIL_NOT_VERIFIED');
      const ok = await api(server).post('/api/v1/auth/verify-email').send({ token });
      assert.equal(ok.status, 204);
      assert.equal((await server.store.accounts.findByEmail(email))?.emailVerified, true);
      assertError(await api(server).post('/api/v1/auth/verify-email').send({ token }), 400, 'INVALID_TOKEN');
      await login(server, { email, password: PASSWORD });
    });

    it('answers 400 INVALID_TOKEN for an unknown token', async () => {
      assertError(await api(server).post('/api/v1/auth/verify-email').send({ token: 'A'.repeat(43) }), 400, 'INVALID_TOKEN');
    });

    it('lets one of two concurrent confirmations win', async () => {
      const email = uniqueEmail('verify-race');
      await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD });
      const token = linkToken(await mailTo(email, /confirm your email/i), '/account/verify-email');
      const both = await Promise.all([1, 2].map(() => api(server).post('/api/v1/auth/verify-email').send({ token })));
      assert.deepEqual(both.map((r) => r.status).sort(), [204, 400]);
    });

    it('answers resend with the same 202 for known and unknown addresses, and the new link voids the old one', async () => {
      const email = uniqueEmail('resend');
      await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD });
      const first = linkToken(await mailTo(email, /confirm your email/i), '/account/verify-email');
      const known = await api(server).post('/api/v1/auth/verify-email/resend').send({ email });
      const unknown = await api(server).post('/api/v1/auth/verify-email/resend').send({ email: uniqueEmail('nobody') });
      assert.equal(known.status, 202);
      assert.equal(unknown.status, 202);
      assert.deepEqual(known.body, unknown.body);
      assert.equal(known.text, unknown.text);
      const second = linkToken(await smtp.waitFor((m) => m.to.includes(email) && !m.text?.includes(first)), '/account/verify-email');
      assert.notEqual(second, first);
      assertError(await api(server).post('/api/v1/auth/verify-email').send({ token: first }), 400, 'INVALID_TOKEN');
      assert.equal((await api(server).post('/api/v1/auth/verify-email').send({ token: second })).status, 204);
    });
  });

  describe('POST /login', () => {
    let email: string;
    before(async () => {
      email = uniqueEmail('login');
      await createTestAccount(server, { email, password: PASSWORD, name: 'Lin' });
    });

    it('issues a JWT access token for the API with sub, sid, scope and role, a refresh token, an ID token and the user', async () => {
      const tokens = await login(server, { email, password: PASSWORD });
      assert.equal(tokens.token_type, 'Bearer');
      assert.equal(tokens.expires_in, 900);
      assert.ok(tokens.refresh_token);
      assert.ok(tokens.id_token);
      assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.aud, server.config.apiAudience);
      assert.equal(claims.sub, tokens.user.id);
      assert.equal(claims.role, 'user');
      assert.equal(typeof claims.sid, 'string');
      assert.match(String(claims.scope), /\bapi\b/);
      assert.equal(tokens.user.email, email);
      assert.equal(decodeJwt(tokens.id_token!).sid, claims.sid);
    });

    it('answers unknown email and wrong password with the same 401 INVALID_CREDENTIALS body', async () => {
      // One request id for both, so the whole bodies can be compared.
      const id = { 'X-Request-Id': 'same-for-both' };
      const wrong = await api(server).post('/api/v1/auth/login').set(id).send({ email, password: 'not the password' });
      const unknown = await api(server).post('/api/v1/auth/login').set(id).send({ email: uniqueEmail('unknown'), password: 'not the password' });
      assertError(wrong, 401, 'INVALID_CREDENTIALS');
      assert.deepEqual(unknown.body, wrong.body);
      assert.equal(unknown.status, wrong.status);
    });

    it('answers 403 EMAIL_NOT_VERIFIED only for the right password of an unverified account', async () => {
      const unverified = uniqueEmail('unverified');
      await createTestAccount(server, { email: unverified, password: PASSWORD, emailVerified: false });
      assertError(await api(server).post('/api/v1/auth/login').send({ email: unverified, password: 'wrong password!' }), 401, 'INVALID_CREDENTIALS');
      assertError(await api(server).post('/api/v1/auth/login').send({ email: unverified, password: PASSWORD }), 403, 'EMAIL_NOT_VERIFIED');
    });

    it('uses the same password grant as the token endpoint: its refresh token works there for the built-in client', async () => {
      const tokens = await login(server, { email, password: PASSWORD });
      const res = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'gatehouse' }),
      });
      assert.equal(res.status, 200);
    });

    it('makes the session last a day, or 30 days with remember_me', async () => {
      const shortLived = await login(server, { email, password: PASSWORD });
      const remembered = await login(server, { email, password: PASSWORD, remember_me: true });
      const expiry = async (accessToken: string) => (await server.store.sessions.findLive(String(decodeJwt(accessToken).sid), new Date()))!.expiresAt.getTime() - Date.now();
      const day = 24 * 3600_000;
      assert.ok(Math.abs((await expiry(shortLived.access_token)) - day) < 60_000);
      assert.ok(Math.abs((await expiry(remembered.access_token)) - 30 * day) < 60_000);
    });
  });

  describe('POST /refresh', () => {
    let email: string;
    before(async () => {
      email = uniqueEmail('refresh');
      await createTestAccount(server, { email, password: PASSWORD });
    });

    it('rotates: new tokens in the login shape, same session', async () => {
      const first = await login(server, { email, password: PASSWORD });
      const res = await api(server).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token });
      assert.equal(res.status, 200);
      assert.notEqual(res.body.refresh_token, first.refresh_token);
      assert.equal(res.body.user.email, email);
      assert.equal(decodeJwt(res.body.access_token).sid, decodeJwt(first.access_token).sid);
      assert.equal((await api(server).get('/api/v1/me').set(bearer(res.body.access_token))).status, 200);
    });

    it('answers 401 INVALID_REFRESH_TOKEN for an unknown token', async () => {
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: 'nope' }), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('treats reuse as theft: 401, and the whole session ends (its access tokens and newest refresh token fail)', async () => {
      const first = await login(server, { email, password: PASSWORD });
      const second = (await api(server).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token })).body;
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await api(server).get('/api/v1/me').set(bearer(second.access_token)), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: second.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
    });
  });

  describe('POST /logout', () => {
    let email: string;
    before(async () => {
      email = uniqueEmail('logout');
      await createTestAccount(server, { email, password: PASSWORD });
    });

    it('ends the current session at once: its access token and refresh token fail, other sessions live on', async () => {
      const current = await login(server, { email, password: PASSWORD });
      const other = await login(server, { email, password: PASSWORD });
      assert.equal((await api(server).post('/api/v1/auth/logout').set(bearer(current.access_token))).status, 204);
      assertError(await api(server).get('/api/v1/me').set(bearer(current.access_token)), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: current.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      assert.equal((await api(server).get('/api/v1/me').set(bearer(other.access_token))).status, 200);
    });

    it('with all: true ends every session of the account', async () => {
      const a = await login(server, { email, password: PASSWORD });
      const b = await login(server, { email, password: PASSWORD });
      assert.equal((await api(server).post('/api/v1/auth/logout').set(bearer(a.access_token)).send({ all: true })).status, 204);
      for (const t of [a, b]) {
        assertError(await api(server).get('/api/v1/me').set(bearer(t.access_token)), 401, 'UNAUTHENTICATED');
        assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: t.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      }
      const accountId = String(a.user.id);
      assert.deepEqual(await server.store.sessions.findLiveByAccount(accountId, new Date()), []);
    });

    it('answers 401 UNAUTHENTICATED with WWW-Authenticate without a token', async () => {
      const res = await api(server).post('/api/v1/auth/logout');
      assertError(res, 401, 'UNAUTHENTICATED');
      assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
    });
  });

  describe('POST /password-reset and /password-reset/confirm', () => {
    it('answers 202 with identical bodies for known and unknown addresses; mails only the known one', async () => {
      const email = uniqueEmail('reset-known');
      await createTestAccount(server, { email, password: PASSWORD });
      const nobody = uniqueEmail('reset-nobody');
      const known = await api(server).post('/api/v1/auth/password-reset').send({ email });
      const unknown = await api(server).post('/api/v1/auth/password-reset').send({ email: nobody });
      assert.equal(known.status, 202);
      assert.equal(unknown.status, 202);
      assert.equal(known.text, unknown.text);
      await mailTo(email, /reset/i);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(!smtp.messages.some((m) => m.to.includes(nobody)));
    });

    it('sets the new password and ends every session: access and refresh tokens fail, the old password too', async () => {
      const email = uniqueEmail('reset');
      await createTestAccount(server, { email, password: PASSWORD });
      const before = await login(server, { email, password: PASSWORD });
      await api(server).post('/api/v1/auth/password-reset').send({ email });
      const token = linkToken(await mailTo(email, /reset/i), '/account/reset-password');

      const weak = await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: '12345678' });
      assertError(weak, 400, 'WEAK_PASSWORD');
      const newPassword = 'a brand new passphrase';
      assert.equal((await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: newPassword })).status, 204);

      assertError(await api(server).get('/api/v1/me').set(bearer(before.access_token)), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: before.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
      await login(server, { email, password: newPassword });
      assertError(await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: 'yet another passphrase' }), 400, 'INVALID_TOKEN');
    });

    it('voids an older reset link when a new one is requested', async () => {
      const email = uniqueEmail('reset-twice');
      await createTestAccount(server, { email, password: PASSWORD });
      await api(server).post('/api/v1/auth/password-reset').send({ email });
      const first = linkToken(await mailTo(email, /reset/i), '/account/reset-password');
      await api(server).post('/api/v1/auth/password-reset').send({ email });
      const second = linkToken(await smtp.waitFor((m) => m.to.includes(email) && /reset/i.test(m.subject) && !m.text?.includes(first)), '/account/reset-password');
      assertError(await api(server).post('/api/v1/auth/password-reset/confirm').send({ token: first, new_password: 'a brand new passphrase' }), 400, 'INVALID_TOKEN');
      assert.equal((await api(server).post('/api/v1/auth/password-reset/confirm').send({ token: second, new_password: 'a brand new passphrase' })).status, 204);
    });

    it('answers 400 INVALID_TOKEN for an unknown token', async () => {
      assertError(await api(server).post('/api/v1/auth/password-reset/confirm').send({ token: 'B'.repeat(43), new_password: 'a brand new passphrase' }), 400, 'INVALID_TOKEN');
    });

    it('lets exactly one of two concurrent confirmations win', async () => {
      const email = uniqueEmail('reset-race');
      await createTestAccount(server, { email, password: PASSWORD });
      await api(server).post('/api/v1/auth/password-reset').send({ email });
      const token = linkToken(await mailTo(email, /reset/i), '/account/reset-password');
      const both = await Promise.all(['first new passphrase', 'second new passphrase'].map((new_password) =>
        api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password })));
      assert.deepEqual(both.map((r) => r.status).sort(), [204, 400]);
    });
  });
});
