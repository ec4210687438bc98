// /api/v1/admin/users through a real server: every route, its success and
// the failures API.md names, who may call them, and what disabling does to
// every way of signing in.
import assert from 'node:assert/strict';
import { api, assertError, bearer, linkToken, login } from '../support/api.ts';
import { PASSWORD, signedIn, uniqueEmail, type SignedIn } from '../support/admin.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';
const FIRST_PARTY = {
  client_id: 'first-party',
  client_secret: SECRET,
  redirect_uris: ['http://127.0.0.1:1/callback'],
  grant_types: ['authorization_code', 'refresh_token', 'password'],
  first_party: true,
};

/** Every admin users route, with a path that names an existing account where it needs one. */
function routes(id: string): Array<[method: 'get' | 'post' | 'patch' | 'delete', path: string]> {
  const base = '/api/v1/admin/users';
  return [
    ['get', base], ['post', base], ['get', `${base}/${id}`], ['patch', `${base}/${id}`], ['delete', `${base}/${id}`],
    ['post', `${base}/${id}/password-reset`], ['post', `${base}/${id}/unlock`], ['delete', `${base}/${id}/mfa`],
    ['get', `${base}/${id}/sessions`], ['delete', `${base}/${id}/sessions`], ['delete', `${base}/${id}/sessions/x`],
  ];
}

async function passwordGrant(server: TestServer, form: Record<string, string>) {
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${FIRST_PARTY.client_id}:${SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('admin users API', function () {
  let server: TestServer;
  let smtp: SmtpCapture;
  let admin: SignedIn;
  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, clients: [FIRST_PARTY] });
    admin = await signedIn(server, 'admin');
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  const as = (who: { token: string }) => ({
    get: (path: string) => api(server).get(path).set(bearer(who.token)),
    post: (path: string, body?: object) => api(server).post(path).set(bearer(who.token)).send(body),
    patch: (path: string, body: object) => api(server).patch(path).set(bearer(who.token)).send(body),
    delete: (path: string) => api(server).delete(path).set(bearer(who.token)),
  });
  const user = (id: string) => `/api/v1/admin/users/${id}`;
  const newUser = async (tag = 'someone') => createTestAccount(server, { email: uniqueEmail(tag), password: PASSWORD });

  describe('who may call', () => {
    it('401 without a token, 403 FORBIDDEN for a `user`-role caller on every route', async () => {
      const target = await newUser();
      const plain = await signedIn(server, 'user');
      for (const [method, path] of routes(target.id)) {
        assertError(await api(server)[method](path).send(method === 'get' ? undefined : {}), 401, 'UNAUTHENTICATED');
        const res = await api(server)[method](path).set(bearer(plain.token)).send(method === 'get' ? undefined : {});
        assertError(res, 403, 'FORBIDDEN');
      }
      // Nothing happened to the target.
      assert.equal((await as(admin).get(user(target.id))).body.disabled, false);
    });

    it('a custom role grants exactly its permissions', async () => {
      const role = `support-${Date.now()}`;
      assert.equal((await as(admin).post('/api/v1/admin/roles', { name: role, permissions: ['admin:users:read'] })).status, 201);
      const support = await signedIn(server, role, 'support');
      const target = await newUser();
      assert.equal((await as(support).get(user(target.id))).status, 200);
      assert.equal((await as(support).get('/api/v1/admin/users')).status, 200);
      assertError(await as(support).patch(user(target.id), { name: 'x' }), 403, 'FORBIDDEN');
      assertError(await as(support).delete(user(target.id)), 403, 'FORBIDDEN');
    });

    it('a demotion takes effect on the next request, with the same token', async () => {
      const other = await signedIn(server, 'admin');
      assert.equal((await as(other).get('/api/v1/admin/users')).status, 200);
      assert.equal((await as(admin).patch(user(other.id), { role: 'user' })).body.role, 'user');
      assertError(await as(other).get('/api/v1/admin/users'), 403, 'FORBIDDEN');
      const me = await as(other).get('/api/v1/me');
      assert.equal(me.body.role, 'user');
      assert.deepEqual(me.body.permissions, []);
    });
  });

  it('GET /me and the login answer carry the role and its permissions, and so does the access token', async () => {
    const me = await as(admin).get('/api/v1/me');
    assert.equal(me.body.role, 'admin');
    assert.ok(me.body.permissions.includes('admin:users:write'));
    const tokens = await login(server, { email: admin.email, password: PASSWORD });
    assert.deepEqual(tokens.user.permissions, me.body.permissions);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.role, 'admin');
    assert.deepEqual(claims.permissions, me.body.permissions);
  });

  describe('GET /admin/users', () => {
    it('filters by q (email or name), role and status, and pages with a cursor', async () => {
      const tag = `find${Date.now()}`;
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await createTestAccount(server, { email: `${tag}-${i}@example.com`, password: PASSWORD, ...(i === 0 && { name: 'Zed Q' }) }));
      }
      const byName = await as(admin).get(`/api/v1/admin/users?q=${encodeURIComponent('zed q')}`);
      assert.deepEqual(byName.body.items.map((u: { id: string }) => u.id), [made[0]!.id]);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await as(admin).get(`/api/v1/admin/users?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        assert.ok(page.body.items.length <= 2);
        seen.push(...page.body.items.map((u: { id: string }) => u.id));
        cursor = page.body.next_cursor;
        pages += 1;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), made.map((m) => m.id).sort());

      await as(admin).patch(user(made[1]!.id), { disabled: true });
      await as(admin).patch(user(made[2]!.id), { role: 'admin' });
      const ids = async (query: string) =>
        ((await as(admin).get(`/api/v1/admin/users?q=${tag}&${query}`)).body.items as Array<{ id: string }>).map((u) => u.id).sort();
      assert.deepEqual(await ids('status=disabled'), [made[1]!.id]);
      assert.deepEqual(await ids('role=admin'), [made[2]!.id]);
      assert.deepEqual(await ids('status=active'), [made[0]!.id, made[2]!.id, made[3]!.id, made[4]!.id].sort());
      await as(admin).patch(user(made[2]!.id), { role: 'user' });
    });

    it('answers each item as admin_user, never a secret', async () => {
      const res = await as(admin).get(`/api/v1/admin/users?q=${encodeURIComponent(admin.email)}`);
      const [item] = res.body.items;
      assert.deepEqual(Object.keys(item).sort(), [
        'created_at', 'disabled', 'email', 'email_verified', 'id', 'last_sign_in_at', 'locked', 'mfa', 'name', 'permissions', 'picture', 'role', 'updated_at',
      ]);
      assert.deepEqual(item.mfa, []);
      assert.ok(item.last_sign_in_at, 'signed in by login');
      assert.doesNotMatch(JSON.stringify(res.body), /argon2/);
    });

    it('refuses a bad limit, status or cursor with VALIDATION_FAILED', async () => {
      for (const query of ['limit=0', 'limit=201', 'status=gone', 'cursor=not-a-cursor', `cursor=${Buffer.from('{"c":1}').toString('base64url')}`]) {
        assertError(await as(admin).get(`/api/v1/admin/users?${query}`), 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('POST /admin/users', () => {
    it('creates an account with a password, which signs in', async () => {
      const email = uniqueEmail('created');
      const res = await as(admin).post('/api/v1/admin/users', { email, name: 'Created', role: 'user', email_verified: true, password: 'another long passphrase' });
      assert.equal(res.status, 201);
      assert.equal(res.body.email, email);
      assert.equal(res.body.role, 'user');
      assert.deepEqual(res.body.permissions, []);
      assert.equal(res.body.disabled, false);
      assert.equal(res.body.locked, false);
      assert.equal(res.body.last_sign_in_at, null);
      await login(server, { email, password: 'another long passphrase' });
    });

    it('without a password mails an invitation whose link sets one (the reset page, valid 7 days)', async () => {
      const email = uniqueEmail('invited');
      const res = await as(admin).post('/api/v1/admin/users', { email, email_verified: false });
      assert.equal(res.status, 201);
      const mail = await smtp.waitFor((m) => m.to.includes(email));
      assert.match(mail.subject, /account is ready/i);
      assert.match(mail.text ?? '', /expires in 7 days/);
      const token = linkToken(mail, '/account/reset-password');
      const page = await api(server).get(`/account/reset-password?token=${token}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /<form[^>]+method="post"/i);
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: 'the chosen passphrase' }), 401, 'INVALID_CREDENTIALS');
      const set = await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: 'the chosen passphrase' });
      assert.equal(set.status, 204);
      // The link came by mail, so the address is proven.
      assert.equal((await login(server, { email, password: 'the chosen passphrase' })).user.email_verified, true);
    });

    it('EMAIL_EXISTS, WEAK_PASSWORD, ROLE_NOT_FOUND, and VALIDATION_FAILED for an unknown field', async () => {
      assertError(await as(admin).post('/api/v1/admin/users', { email: admin.email.toUpperCase() }), 409, 'EMAIL_EXISTS');
      assertError(await as(admin).post('/api/v1/admin/users', { email: uniqueEmail('weak'), password: 'password' }), 400, 'WEAK_PASSWORD');
      assertError(await as(admin).post('/api/v1/admin/users', { email: uniqueEmail('norole'), role: 'nosuchrole' }), 404, 'ROLE_NOT_FOUND');
      assertError(await as(admin).post('/api/v1/admin/users', { email: uniqueEmail('x'), disabled: true }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET, PATCH, DELETE /admin/users/:id', () => {
    it('reads and changes one account; USER_NOT_FOUND and ROLE_NOT_FOUND', async () => {
      const target = await newUser();
      assert.equal((await as(admin).get(user(target.id))).body.id, target.id);
      assertError(await as(admin).get(user('nobody')), 404, 'USER_NOT_FOUND');
      const changed = await as(admin).patch(user(target.id), { name: 'Renamed', email_verified: false });
      assert.equal(changed.status, 200);
      assert.equal(changed.body.name, 'Renamed');
      assert.equal(changed.body.email_verified, false);
      assertError(await as(admin).patch(user(target.id), { role: 'nosuchrole' }), 404, 'ROLE_NOT_FOUND');
      assertError(await as(admin).patch(user('nobody'), { name: 'x' }), 404, 'USER_NOT_FOUND');
      assertError(await as(admin).patch(user(target.id), { email: 'new@example.com' }), 400, 'VALIDATION_FAILED');
    });

    it('deletes an account with its sessions and tokens; USER_NOT_FOUND after', async () => {
      const target = await signedIn(server, 'user');
      assert.equal((await as(admin).delete(user(target.id))).status, 204);
      assertError(await as(target).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: target.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await as(admin).get(user(target.id)), 404, 'USER_NOT_FOUND');
      assertError(await as(admin).delete(user(target.id)), 404, 'USER_NOT_FOUND');
    });
  });

  describe('disabling', () => {
    it('ends every session at once and refuses every sign-in with ACCOUNT_DISABLED only after a correct password; enabling lets it in again', async () => {
      const target = await signedIn(server, 'user');
      const granted = await passwordGrant(server, { grant_type: 'password', username: target.email, password: PASSWORD, scope: 'openid' });
      assert.equal(granted.status, 200);

      const res = await as(admin).patch(user(target.id), { disabled: true });
      assert.equal(res.status, 200);
      assert.equal(res.body.disabled, true);

      // Tokens issued before: refused on the next request, refresh tokens too.
      assertError(await as(target).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: target.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
      const refreshed = await passwordGrant(server, { grant_type: 'refresh_token', refresh_token: String(granted.body.refresh_token) });
      assert.equal(refreshed.status, 400);
      assert.equal(refreshed.body.error, 'invalid_grant');
      assert.equal((await as(admin).get(`${user(target.id)}/sessions`)).body.length, 0);

      // Sign-in: a wrong password says nothing about the account; a right one is told.
      assertError(await api(server).post('/api/v1/auth/login').send({ email: target.email, password: 'not the password at all' }), 401, 'INVALID_CREDENTIALS');
      assertError(await api(server).post('/api/v1/auth/login').send({ email: target.email, password: PASSWORD }), 403, 'ACCOUNT_DISABLED');
      const wrongGrant = await passwordGrant(server, { grant_type: 'password', username: target.email, password: 'not the password at all' });
      assert.equal(wrongGrant.body.error_description, 'invalid email or password');
      const rightGrant = await passwordGrant(server, { grant_type: 'password', username: target.email, password: PASSWORD });
      assert.equal(rightGrant.status, 400);
      assert.equal(rightGrant.body.error, 'invalid_grant');
      assert.equal(rightGrant.body.error_description, 'account is disabled');

      assert.equal((await as(admin).patch(user(target.id), { disabled: false })).body.disabled, false);
      await login(server, { email: target.email, password: PASSWORD });
      assert.ok((await as(admin).get(user(target.id))).body.last_sign_in_at);
    });
  });

  it('the bearer check itself refuses a disabled account, whatever revocation may have missed', async () => {
    const target = await signedIn(server, 'admin');
    // Straight to the store: the flag without the revocation that PATCH adds.
    await server.store.accounts.update(target.id, { disabled: true });
    assertError(await as(target).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
    assertError(await as(target).get('/api/v1/admin/users'), 401, 'UNAUTHENTICATED');
    await server.store.accounts.update(target.id, { disabled: false });
    assert.equal((await as(target).get('/api/v1/me')).status, 200);
  });

  describe('password reset, unlock, MFA', () => {
    it('POST :id/password-reset answers 202 and mails a reset link; USER_NOT_FOUND', async () => {
      const target = await newUser('reset');
      const { email } = (await as(admin).get(user(target.id))).body as { email: string };
      assert.equal((await as(admin).post(`${user(target.id)}/password-reset`)).status, 202);
      const mail = await smtp.waitFor((m) => m.to.includes(email) && /reset your password/i.test(m.subject));
      linkToken(mail, '/account/reset-password');
      assertError(await as(admin).post(`${user('nobody')}/password-reset`), 404, 'USER_NOT_FOUND');
    });

    it('a locked account shows locked (and under ?status=locked) until POST :id/unlock lifts every lock', async () => {
      const email = uniqueEmail('locked');
      const target = await createTestAccount(server, { email, password: PASSWORD });
      for (let i = 0; i < 10; i++) {
        assertError(await api(server).post('/api/v1/auth/login').send({ email, password: `wrong password ${i}` }), 401, 'INVALID_CREDENTIALS');
      }
      assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 429, 'RATE_LIMITED');
      assert.equal((await as(admin).get(user(target.id))).body.locked, true);
      const listed = await as(admin).get(`/api/v1/admin/users?status=locked&q=${encodeURIComponent(email)}`);
      assert.deepEqual(listed.body.items.map((u: { id: string }) => u.id), [target.id]);

      assert.equal((await as(admin).post(`${user(target.id)}/unlock`)).status, 204);
      assert.equal((await as(admin).get(user(target.id))).body.locked, false);
      await login(server, { email, password: PASSWORD });
      assertError(await as(admin).post(`${user('nobody')}/unlock`), 404, 'USER_NOT_FOUND');
    });

    it('a reset by mail lifts the locks too', async () => {
      const email = uniqueEmail('locked-reset');
      const target = await createTestAccount(server, { email, password: PASSWORD });
      for (let i = 0; i < 10; i++) await api(server).post('/api/v1/auth/login').send({ email, password: `wrong password ${i}` });
      assert.equal((await as(admin).get(user(target.id))).body.locked, true);
      assert.equal((await api(server).post('/api/v1/auth/password-reset').send({ email })).status, 202);
      const token = linkToken(await smtp.waitFor((m) => m.to.includes(email)), '/account/reset-password');
      assert.equal((await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: 'a brand new passphrase' })).status, 204);
      assert.equal((await as(admin).get(user(target.id))).body.locked, false);
    });

    it('DELETE :id/mfa answers 204 for an account (no factors exist yet); USER_NOT_FOUND', async () => {
      const target = await newUser();
      assert.equal((await as(admin).delete(`${user(target.id)}/mfa`)).status, 204);
      assertError(await as(admin).delete(`${user('nobody')}/mfa`), 404, 'USER_NOT_FOUND');
    });
  });

  describe('sessions', () => {
    it('lists them (current always false), ends one, ends all; SESSION_NOT_FOUND, USER_NOT_FOUND', async () => {
      const target = await signedIn(server, 'user');
      const second = await login(server, { email: target.email, password: PASSWORD });
      const third = await login(server, { email: target.email, password: PASSWORD });
      const listed = await as(admin).get(`${user(target.id)}/sessions`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.length, 3);
      assert.ok(listed.body.every((s: { current: boolean }) => s.current === false));
      assertError(await as(admin).get(`${user('nobody')}/sessions`), 404, 'USER_NOT_FOUND');

      const sid = (JSON.parse(Buffer.from(second.access_token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
      assert.equal((await as(admin).delete(`${user(target.id)}/sessions/${sid}`)).status, 204);
      assertError(await as({ token: second.access_token }).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      assert.equal((await as({ token: third.access_token }).get('/api/v1/me')).status, 200);
      assertError(await as(admin).delete(`${user(target.id)}/sessions/${sid}`), 404, 'SESSION_NOT_FOUND');
      // Another account's session is not this account's.
      const adminSid = (JSON.parse(Buffer.from(admin.token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
      assertError(await as(admin).delete(`${user(target.id)}/sessions/${adminSid}`), 404, 'SESSION_NOT_FOUND');

      const all = await as(admin).delete(`${user(target.id)}/sessions`);
      assert.deepEqual(all.body, { revoked: 2 });
      assertError(await as(target).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      assertError(await as({ token: third.access_token }).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      assertError(await as(admin).delete(`${user('nobody')}/sessions`), 404, 'USER_NOT_FOUND');
    });
  });
});
