// API.md's rate limits on the JSON API, with small limits so the tests are short.
import assert from 'node:assert/strict';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { api, assertError, linkToken, login } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

function assertRetryAfter(res: { headers: Record<string, string> }, maxSeconds: number): void {
  const seconds = Number(res.headers['retry-after']);
  assert.ok(seconds >= 1 && seconds <= maxSeconds, `Retry-After ${res.headers['retry-after']}`);
}

describe('/api/v1 rate limits', function () {
  let server: TestServer;
  let smtp: SmtpCapture;

  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({
      env: {
        SMTP_URL: smtp.url,
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '3',
        RATE_LIMIT_LOGIN_WINDOW_SECONDS: '600',
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: '50',
        RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '1000',
        RATE_LIMIT_MAIL_PER_EMAIL_PER_HOUR: '2',
        RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '1000',
      },
    });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  const attempt = (email: string, password: string) => api(server).post('/api/v1/auth/login').send({ email, password });

  it('locks sign-in for an account after its failures, even with the right password, with Retry-After', async () => {
    const email = uniqueEmail('lock');
    await createTestAccount(server, { email, password: PASSWORD });
    for (let i = 0; i < 3; i += 1) assertError(await attempt(email, 'wrong password!'), 401, 'INVALID_CREDENTIALS');
    const locked = await attempt(email, PASSWORD);
    assertError(locked, 429, 'RATE_LIMITED');
    assertRetryAfter(locked, 600);
    // The token endpoint shares the lock: same grant.
    const viaToken = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: email, password: PASSWORD, client_id: 'gatehouse' }),
    });
    assert.equal(viaToken.status, 429);
    assert.ok(Number(viaToken.headers.get('retry-after')) >= 1);
  });

  it('locks an unknown address exactly like a known one', async () => {
    const unknown = uniqueEmail('ghost');
    for (let i = 0; i < 3; i += 1) assertError(await attempt(unknown, 'wrong password!'), 401, 'INVALID_CREDENTIALS');
    assertError(await attempt(unknown, 'wrong password!'), 429, 'RATE_LIMITED');
  });

  it('resets the count on success', async () => {
    const email = uniqueEmail('reset-count');
    await createTestAccount(server, { email, password: PASSWORD });
    for (let i = 0; i < 2; i += 1) await attempt(email, 'wrong password!');
    await login(server, { email, password: PASSWORD });
    for (let i = 0; i < 2; i += 1) assertError(await attempt(email, 'wrong password!'), 401, 'INVALID_CREDENTIALS');
    await login(server, { email, password: PASSWORD });
  });

  it('never blocks the owner\'s password reset, which also lifts the lock', async () => {
    const email = uniqueEmail('locked-reset');
    await createTestAccount(server, { email, password: PASSWORD });
    for (let i = 0; i < 3; i += 1) await attempt(email, 'wrong password!');
    assertError(await attempt(email, PASSWORD), 429, 'RATE_LIMITED');
    assert.equal((await api(server).post('/api/v1/auth/password-reset').send({ email })).status, 202);
    const token = linkToken(await smtp.waitFor((m) => m.to.includes(email)), '/account/reset-password');
    const newPassword = 'another long passphrase';
    assert.equal((await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: newPassword })).status, 204);
    await login(server, { email, password: newPassword });
  });

  it('limits reset requests per address with 429 and Retry-After, for known and unknown addresses alike', async () => {
    for (const email of [uniqueEmail('nobody'), uniqueEmail('somebody')]) {
      if (email.startsWith('somebody')) await createTestAccount(server, { email, password: PASSWORD });
      for (let i = 0; i < 2; i += 1) assert.equal((await api(server).post('/api/v1/auth/password-reset').send({ email })).status, 202);
      const limited = await api(server).post('/api/v1/auth/password-reset').send({ email });
      assertError(limited, 429, 'RATE_LIMITED');
      assertRetryAfter(limited, 3600);
      // Resend is counted separately.
      assert.equal((await api(server).post('/api/v1/auth/verify-email/resend').send({ email })).status, 202);
    }
  });

  it('limits failed sign-ins per IP, and successes do not count', async () => {
    const ipLimited = await startTestServer({ env: { RATE_LIMIT_LOGIN_FAILURES_PER_IP: '4', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100' } });
    try {
      const email = uniqueEmail('ip');
      await createTestAccount(ipLimited, { email, password: PASSWORD });
      for (let i = 0; i < 5; i += 1) await login(ipLimited, { email, password: PASSWORD });
      for (let i = 0; i < 4; i += 1) {
        assertError(await api(ipLimited).post('/api/v1/auth/login').send({ email: uniqueEmail('spray'), password: 'guess guess' }), 401, 'INVALID_CREDENTIALS');
      }
      assertError(await api(ipLimited).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 429, 'RATE_LIMITED');
    } finally {
      await ipLimited.close();
    }
  });

  it('limits registrations per IP', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '2' } });
    try {
      for (let i = 0; i < 2; i += 1) assert.equal((await api(limited).post('/api/v1/auth/register').send({ email: uniqueEmail('reg'), password: PASSWORD })).status, 201);
      const res = await api(limited).post('/api/v1/auth/register').send({ email: uniqueEmail('reg'), password: PASSWORD });
      assertError(res, 429, 'RATE_LIMITED');
      assertRetryAfter(res, 3600);
    } finally {
      await limited.close();
    }
  });
});
