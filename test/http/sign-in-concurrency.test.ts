// Sign-in limits under concurrent guessing: each attempt is counted before its
// password is checked, so a barrier-synchronised burst of guesses never gets
// more than the limit evaluated, on the JSON login, at the token endpoint,
// per IP, and for the current-password checks of /me.
import assert from 'node:assert/strict';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { fireTogether, statusCounts, type BurstResponse } from '../support/burst.ts';
import { login } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
const BURST = 200;
const PER_ACCOUNT = 10;
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;
const fromIp = (ip: string) => ({ 'x-forwarded-for': ip });

/** 199 wrong guesses and, last, the right password. */
const guesses = () => Array.from({ length: BURST }, (_, i) => (i === BURST - 1 ? PASSWORD : `wrong guess number ${i}`));

function assertRefusedWithRetryAfter(res: BurstResponse): void {
  assert.equal(res.status, 429, res.body);
  assert.ok(Number(res.headers.get('retry-after')) >= 1, `Retry-After ${res.headers.get('retry-after')}`);
}

describe('sign-in limits under concurrent guessing', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: {
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100000',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: '100000',
        // The hashing line is not under test here: let every guess queue.
        PASSWORD_HASH_QUEUE: '10000',
      },
    });
  });
  after(async () => server?.close());

  it(`/api/v1/auth/login: ${BURST} concurrent guesses get at most ${PER_ACCOUNT} evaluated, and the right one among them is refused`, async () => {
    const email = uniqueEmail('burst-api');
    await createTestAccount(server, { email, password: PASSWORD });
    const passwords = guesses();
    const responses = await fireTogether(passwords.map((password) => ({
      url: `${server.url}/api/v1/auth/login`, headers: fromIp('203.0.113.10'), json: { email, password },
    })));
    const counts = statusCounts(responses);
    const evaluated = (counts[401] ?? 0) + (counts[200] ?? 0);
    assert.ok(evaluated <= PER_ACCOUNT, `evaluated ${evaluated}: ${JSON.stringify(counts)}`);
    assert.equal(counts[429], BURST - evaluated, JSON.stringify(counts));
    for (const res of responses.filter((r) => r.status === 429)) assertRefusedWithRetryAfter(res);
    // Sent last, the right password finds the limit spent; and so does a later try.
    assertRefusedWithRetryAfter(responses[BURST - 1]!);
    const after = await fireTogether([{ url: `${server.url}/api/v1/auth/login`, headers: fromIp('203.0.113.10'), json: { email, password: PASSWORD } }]);
    assertRefusedWithRetryAfter(after[0]!);
  });

  it(`/oidc/token password grant: ${BURST} concurrent guesses get at most ${PER_ACCOUNT} evaluated, and the right one is refused`, async () => {
    const email = uniqueEmail('burst-token');
    await createTestAccount(server, { email, password: PASSWORD });
    const responses = await fireTogether(guesses().map((password) => ({
      url: `${server.issuer}/token`,
      headers: fromIp('203.0.113.11'),
      form: { grant_type: 'password', client_id: 'gatehouse', username: email, password },
    })));
    const counts = statusCounts(responses);
    const evaluated = (counts[400] ?? 0) + (counts[200] ?? 0);
    assert.ok(evaluated <= PER_ACCOUNT, `evaluated ${evaluated}: ${JSON.stringify(counts)}`);
    assert.equal(counts[429], BURST - evaluated, JSON.stringify(counts));
    for (const res of responses.filter((r) => r.status === 400)) assert.equal(JSON.parse(res.body).error, 'invalid_grant');
    assertRefusedWithRetryAfter(responses[BURST - 1]!);
  });

  it(`counts current-password checks of /me as sign-in attempts: ${BURST / 2} concurrent guesses at /me/password and DELETE /me get at most ${PER_ACCOUNT} evaluated`, async () => {
    const email = uniqueEmail('burst-me');
    await createTestAccount(server, { email, password: PASSWORD });
    const auth = { authorization: `Bearer ${(await login(server, { email, password: PASSWORD })).access_token}` };
    const half = BURST / 2;
    const responses = await fireTogether(Array.from({ length: half }, (_, i) => (i % 2 === 0
      ? { url: `${server.url}/api/v1/me/password`, headers: { ...auth, ...fromIp('203.0.113.12') }, json: { current_password: `wrong guess ${i}`, new_password: 'a brand new passphrase' } }
      : { url: `${server.url}/api/v1/me`, method: 'DELETE', headers: { ...auth, ...fromIp('203.0.113.12') }, json: { password: `wrong guess ${i}` } })));
    const counts = statusCounts(responses);
    assert.ok((counts[403] ?? 0) <= PER_ACCOUNT, JSON.stringify(counts));
    assert.equal(counts[429], half - (counts[403] ?? 0), JSON.stringify(counts));
    const limited = responses.find((r) => r.status === 429)!;
    assertRefusedWithRetryAfter(limited);
    assert.equal(JSON.parse(limited.body).error.code, 'RATE_LIMITED');
    // The right current password is refused too while the lock lasts.
    const [right] = await fireTogether([{ url: `${server.url}/api/v1/me/password`, headers: { ...auth, ...fromIp('203.0.113.12') }, json: { current_password: PASSWORD, new_password: 'a brand new passphrase' } }]);
    assertRefusedWithRetryAfter(right!);
  });

  it(`per IP: ${BURST} concurrent guesses over as many addresses get at most the IP's limit evaluated`, async () => {
    const perIp = 20;
    const ipLimited = await startTestServer({
      env: {
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: String(perIp),
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: '100000',
        PASSWORD_HASH_QUEUE: '10000',
      },
    });
    try {
      const email = uniqueEmail('spray-target');
      await createTestAccount(ipLimited, { email, password: PASSWORD });
      const responses = await fireTogether(Array.from({ length: BURST }, (_, i) => ({
        url: `${ipLimited.url}/api/v1/auth/login`,
        headers: fromIp('203.0.113.13'),
        json: i === BURST - 1 ? { email, password: PASSWORD } : { email: uniqueEmail('spray'), password: 'guess guess' },
      })));
      const counts = statusCounts(responses);
      const evaluated = (counts[401] ?? 0) + (counts[200] ?? 0);
      assert.ok(evaluated <= perIp, `evaluated ${evaluated}: ${JSON.stringify(counts)}`);
      assert.equal(counts[429], BURST - evaluated, JSON.stringify(counts));
      assertRefusedWithRetryAfter(responses[BURST - 1]!);
    } finally {
      await ipLimited.close();
    }
  });
});
