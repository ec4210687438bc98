// TOTP second factor end to end through the JSON API and the token endpoint,
// with codes computed here by otplib from the secret the API handed out.
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { api, assertError, bearer, login, type Tokens } from '../support/api.ts';
import { claimsOf, PASSWORD, signedIn, uniqueEmail } from '../support/admin.ts';
import { fireTogether, statusCounts } from '../support/burst.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { MFA_GRANT } from '../../src/oidc/mfa-grant.ts';

const STEP = 30;

interface Enrolled {
  id: string;
  email: string;
  accountId: string;
  token: string;
  secret: string;
  factorId: string;
  recoveryCodes: string[];
  /** The last TOTP step the server accepted for this factor. */
  lastStep: number;
}

/**
 * A code of a step the server has not accepted yet and that is within its
 * ±1 window now: the current step, or the next one once the current was
 * used. Computed for the current step or later, so a step boundary crossed
 * before the server checks it keeps it valid.
 */
async function nextCode(user: Enrolled): Promise<string> {
  const current = Math.floor(Date.now() / 1000 / STEP);
  const step = Math.max(current, user.lastStep + 1);
  assert.ok(step <= current + 1, 'test bug: no unused step left in the window');
  user.lastStep = step;
  return generate({ secret: user.secret, epoch: step * STEP });
}

describe('MFA: TOTP and recovery codes', function () {
  this.timeout(120_000);
  let server: TestServer;
  let smtp: SmtpCapture;

  before(async () => {
    smtp = await startSmtpCapture();
    // With ENCRYPTION_KEY, TOTP secrets are sealed at rest: every check below opens them.
    server = await startTestServer({ env: { SMTP_URL: smtp.url, ENCRYPTION_KEY: 'an encryption key of at least 32 characters for the MFA test' } });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** A new account with a confirmed TOTP factor. */
  async function enrolled(tag: string): Promise<Enrolled> {
    const email = uniqueEmail(tag);
    const { id: accountId } = await createTestAccount(server, { email, password: PASSWORD });
    const tokens = await login(server, { email, password: PASSWORD });
    const start = await api(server).post('/api/v1/me/mfa/totp').set(bearer(tokens.access_token)).send({ password: PASSWORD });
    assert.equal(start.status, 201, JSON.stringify(start.body));
    const user: Enrolled = {
      id: accountId, email, accountId, token: tokens.access_token, secret: start.body.secret, factorId: start.body.id, recoveryCodes: [], lastStep: 0,
    };
    const confirm = await api(server).post(`/api/v1/me/mfa/totp/${user.factorId}/confirm`).set(bearer(user.token)).send({ code: await nextCode(user) });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    user.recoveryCodes = confirm.body.recovery_codes;
    return user;
  }

  async function mfaToken(user: Pick<Enrolled, 'email'>): Promise<string> {
    const res = await api(server).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    assertError(res, 403, 'MFA_REQUIRED');
    return res.body.mfa.token as string;
  }

  const eventsOf = async (accountId: string) => server.store.audit.listForSubject(accountId, { limit: 100 });

  it('enrols: the secret and otpauth URI once, pending until a first code confirms it, then 10 recovery codes', async () => {
    const email = uniqueEmail('enrol');
    const { id } = await createTestAccount(server, { email, password: PASSWORD });
    const { access_token: token } = await login(server, { email, password: PASSWORD });

    assertError(await api(server).post('/api/v1/me/mfa/totp').set(bearer(token)).send({ password: 'not the password' }), 403, 'WRONG_PASSWORD');
    const start = await api(server).post('/api/v1/me/mfa/totp').set(bearer(token)).send({ password: PASSWORD });
    assert.equal(start.status, 201);
    assert.match(start.body.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(start.body.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), start.body.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Gatehouse');

    // Pending: not listed, and not asked at sign-in.
    assert.deepEqual((await api(server).get('/api/v1/me/mfa').set(bearer(token))).body, { factors: [], recovery_codes_remaining: 0 });
    await login(server, { email, password: PASSWORD });

    const user: Enrolled = { id, email, accountId: id, token, secret: start.body.secret, factorId: start.body.id, recoveryCodes: [], lastStep: 0 };
    assertError(await api(server).post(`/api/v1/me/mfa/totp/${user.factorId}/confirm`).set(bearer(token)).send({ code: '000000' }), 400, 'INVALID_MFA_CODE');
    const confirm = await api(server).post(`/api/v1/me/mfa/totp/${user.factorId}/confirm`).set(bearer(token)).send({ code: await nextCode(user) });
    assert.equal(confirm.status, 200);
    assert.equal(confirm.body.recovery_codes.length, 10);
    assert.equal(new Set(confirm.body.recovery_codes).size, 10);

    const listed = (await api(server).get('/api/v1/me/mfa').set(bearer(token))).body;
    assert.equal(listed.recovery_codes_remaining, 10);
    assert.deepEqual(listed.factors.map((f: { id: string; type: string }) => [f.id, f.type]), [[user.factorId, 'totp']]);

    // A second factor gives no new codes.
    const second = await api(server).post('/api/v1/me/mfa/totp').set(bearer(token)).send({ password: PASSWORD, name: 'Backup phone' });
    const secondUser = { ...user, secret: second.body.secret, lastStep: 0 };
    const again = await api(server).post(`/api/v1/me/mfa/totp/${second.body.id}/confirm`).set(bearer(token)).send({ code: await nextCode(secondUser) });
    assert.equal(again.status, 200);
    assert.equal(again.body.recovery_codes, undefined);

    const types = (await eventsOf(id)).map((e) => `${e.type}:${e.result}`);
    assert.ok(types.includes('mfa.enrolled:success'), types.join());
    assert.ok(types.includes('mfa.enrolled:failure'), types.join());
  });

  it('signs in: MFA_REQUIRED after the password, then /login/mfa with a code gives tokens and a session with amr pwd, otp, mfa', async () => {
    const user = await enrolled('login');
    const res = await api(server).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    assertError(res, 403, 'MFA_REQUIRED');
    assert.equal(res.body.mfa.expires_in, 300);
    assert.deepEqual(res.body.mfa.factors, [{ id: user.factorId, type: 'totp' }]);
    assert.equal(typeof res.body.mfa.token, 'string');
    // A wrong password never reaches the second factor.
    assertError(await api(server).post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password here' }), 401, 'INVALID_CREDENTIALS');

    const done = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: res.body.mfa.token, code: await nextCode(user) });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const tokens = done.body as Tokens;
    assert.equal(tokens.user.email, user.email);
    assert.deepEqual(claimsOf(tokens.access_token).amr, ['pwd', 'otp', 'mfa']);
    assert.deepEqual(claimsOf(tokens.id_token!).amr, ['pwd', 'otp', 'mfa']);
    const sessions = (await api(server).get('/api/v1/me/sessions').set(bearer(tokens.access_token))).body;
    const current = (sessions.items ?? sessions).find((s: { current: boolean }) => s.current);
    assert.deepEqual(current.amr, ['pwd', 'otp', 'mfa']);

    // The refresh grant keeps the amr.
    const refreshed = await api(server).post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(claimsOf(refreshed.body.access_token).amr, ['pwd', 'otp', 'mfa']);

    // The mfa_token is used up.
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: res.body.mfa.token, code: '123456' }), 401, 'INVALID_MFA_TOKEN');
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: 'not-a-token', code: '123456' }), 401, 'INVALID_MFA_TOKEN');
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: 'x' }), 400, 'VALIDATION_FAILED');
  });

  it('finishes a sign-in in cookie mode: use_cookies on /login/mfa sets the token cookies instead of the body\'s tokens', async () => {
    const user = await enrolled('cookies');
    const done = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), code: await nextCode(user), use_cookies: true });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(Object.keys(done.body).sort(), ['expires_in', 'scope', 'token_type', 'user']);
    const access = ((done.headers['set-cookie'] as unknown as string[]) ?? []).find((line) => line.startsWith('gatehouse_access='));
    assert.ok(access, 'an access cookie');
    const me = await api(server).get('/api/v1/me').set('Cookie', access.split(';')[0]!);
    assert.equal(me.body.email, user.email);
  });

  it('accepts a code once: a wrong code leaves the mfa_token usable, and the code replayed on a new sign-in is refused', async () => {
    const user = await enrolled('replay');
    const token = await mfaToken(user);
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: token, code: '000000' }), 400, 'INVALID_MFA_CODE');
    const code = await nextCode(user);
    const first = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: token, code });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), code }), 400, 'INVALID_MFA_CODE');
    // The code confirmation used can no longer be used either (an earlier step).
    const earlier = generate({ secret: user.secret, epoch: (user.lastStep - 1) * STEP });
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), code: await earlier }), 400, 'INVALID_MFA_CODE');
  });

  it('locks MFA at the sixth wrong code of a concurrent burst: 5 evaluated, the rest 429, then the right code too', async () => {
    const user = await enrolled('lock');
    const token = await mfaToken(user);
    const responses = await fireTogether(Array.from({ length: 12 }, (_, i) => ({
      url: `${server.url}/api/v1/auth/login/mfa`, json: { mfa_token: token, code: String(100000 + i) },
    })));
    const counts = statusCounts(responses);
    assert.deepEqual(counts, { 400: 5, 429: 7 }, JSON.stringify(counts));
    for (const res of responses.filter((r) => r.status === 429)) {
      assert.equal(JSON.parse(res.body).error.code, 'RATE_LIMITED');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
    const right = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: token, code: await nextCode(user) });
    assertError(right, 429, 'RATE_LIMITED');
    const types = (await eventsOf(user.accountId)).map((e) => `${e.type}:${e.result}`);
    assert.ok(types.includes('mfa.locked:failure'), types.join());
    assert.ok(types.includes('mfa.verified:failure'), types.join());
  });

  it('recovery codes: each works once, its use is audited and mailed, and regenerating voids the older ones', async () => {
    const user = await enrolled('recovery');
    const [first, second] = user.recoveryCodes;
    const done = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), recovery_code: first!.toUpperCase() });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(claimsOf(done.body.access_token).amr, ['pwd', 'otp', 'mfa']);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && /recovery code was used/i.test(m.subject));
    assert.match(mail.text ?? '', /9 of them are left/);
    assert.ok(!(mail.text ?? '').includes(first!));

    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), recovery_code: first }), 400, 'INVALID_MFA_CODE');
    assert.equal((await api(server).get('/api/v1/me/mfa').set(bearer(user.token))).body.recovery_codes_remaining, 9);

    assertError(await api(server).post('/api/v1/me/mfa/recovery-codes').set(bearer(user.token)).send({ password: 'nope nope nope' }), 403, 'WRONG_PASSWORD');
    const regenerated = await api(server).post('/api/v1/me/mfa/recovery-codes').set(bearer(user.token)).send({ password: PASSWORD });
    assert.equal(regenerated.status, 200);
    assert.equal(regenerated.body.recovery_codes.length, 10);
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), recovery_code: second }), 400, 'INVALID_MFA_CODE');
    const fresh = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: await mfaToken(user), recovery_code: regenerated.body.recovery_codes[0] });
    assert.equal(fresh.status, 200);

    const events = await eventsOf(user.accountId);
    const used = events.find((e) => e.type === 'mfa.recovery_code_used');
    assert.ok(used);
    assert.ok(!JSON.stringify(events).includes(first!), 'a recovery code in the audit log');
  });

  it('the token endpoint’s password grant answers mfa_required with an mfa_token, and the MFA grant finishes the sign-in', async () => {
    const user = await enrolled('grant');
    const token = (body: Record<string, string>) => fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'gatehouse', ...body }),
    });
    const refused = await token({ grant_type: 'password', username: user.email, password: PASSWORD, scope: 'openid' });
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(refused.status, 400);
    assert.equal(body.error, 'mfa_required');
    assert.equal(body.expires_in, 300);
    assert.deepEqual(body.factors, [{ id: user.factorId, type: 'totp' }]);
    assert.equal(typeof body.mfa_token, 'string');
    assert.equal(body.access_token, undefined);

    const wrong = await token({ grant_type: MFA_GRANT, mfa_token: body.mfa_token as string, code: '000000' });
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
    const missing = await token({ grant_type: MFA_GRANT, mfa_token: body.mfa_token as string });
    assert.equal(((await missing.json()) as { error: string }).error, 'invalid_request');

    const finished = await token({ grant_type: MFA_GRANT, mfa_token: body.mfa_token as string, code: await nextCode(user) });
    const issued = (await finished.json()) as Record<string, string>;
    assert.equal(finished.status, 200, JSON.stringify(issued));
    assert.deepEqual(claimsOf(issued.id_token!).amr, ['pwd', 'otp', 'mfa']);
    assert.equal(typeof issued.access_token, 'string');
    assert.deepEqual(claimsOf(issued.access_token!).amr, ['pwd', 'otp', 'mfa']);
  });

  it('removing a factor needs the password; removing the last one ends MFA and voids the recovery codes', async () => {
    const user = await enrolled('remove');
    const remove = (id: string, password: string) => api(server).delete(`/api/v1/me/mfa/${id}`).set(bearer(user.token)).send({ password });
    assertError(await remove(user.factorId, 'not my password'), 403, 'WRONG_PASSWORD');
    assertError(await remove('no-such-factor', PASSWORD), 404, 'NOT_FOUND');
    const other = await signedIn(server, 'user', 'other');
    assertError(await api(server).delete(`/api/v1/me/mfa/${user.factorId}`).set(bearer(other.token)).send({ password: PASSWORD }), 404, 'NOT_FOUND');
    assert.equal((await remove(user.factorId, PASSWORD)).status, 204);
    assert.deepEqual((await api(server).get('/api/v1/me/mfa').set(bearer(user.token))).body, { factors: [], recovery_codes_remaining: 0 });
    const tokens = await login(server, { email: user.email, password: PASSWORD });
    assert.deepEqual(claimsOf(tokens.access_token).amr, ['pwd']);
    const types = (await eventsOf(user.accountId)).map((e) => `${e.type}:${e.result}`);
    assert.ok(types.includes('mfa.removed:success') && types.includes('mfa.removed:failure'), types.join());
  });

  it('an administrator’s reset removes every factor and recovery code', async () => {
    const user = await enrolled('reset');
    const admin = await signedIn(server, 'admin', 'mfa-admin');
    const shown = await api(server).get(`/api/v1/admin/users/${user.accountId}`).set(bearer(admin.token));
    assert.deepEqual(shown.body.mfa, [{ id: user.factorId, type: 'totp' }]);
    const pending = await mfaToken(user);
    assert.equal((await api(server).delete(`/api/v1/admin/users/${user.accountId}/mfa`).set(bearer(admin.token))).status, 204);
    assert.deepEqual((await api(server).get(`/api/v1/admin/users/${user.accountId}`).set(bearer(admin.token))).body.mfa, []);
    assert.equal(await server.store.factors.countRecoveryCodes(user.accountId), 0);
    // A sign-in stopped before the reset cannot be finished; a new one needs the password only.
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: pending, code: await nextCode(user) }), 401, 'INVALID_MFA_TOKEN');
    await login(server, { email: user.email, password: PASSWORD });
    assert.ok((await eventsOf(user.accountId)).some((e) => e.type === 'mfa.reset'));
    assertError(await api(server).delete('/api/v1/admin/users/no-such-user/mfa').set(bearer(admin.token)), 404, 'USER_NOT_FOUND');
  });
});
