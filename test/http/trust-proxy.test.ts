// TRUST_PROXY_HOPS (API.md): the client IP is the address that many hops
// from the right of X-Forwarded-For. An attacker writes whatever it likes on
// the left of that header (or the whole header with no proxy in front), and
// must neither escape the per-IP limits nor choose the IP its session records.
import assert from 'node:assert/strict';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { api, assertError, bearer, login } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;
const forgedIp = () => `203.0.113.${(counter += 1) % 250}`;

// What each setting must see for a request forwarded by the proxy at
// PROXY_SEEN (the address the last trusted proxy appended).
const PROXY_SEEN = '198.51.100.7';
const cases = [
  { hops: 0, header: () => forgedIp(), expected: '127.0.0.1' },
  { hops: 1, header: () => `${forgedIp()}, ${PROXY_SEEN}`, expected: PROXY_SEEN },
];

for (const { hops, header, expected } of cases) {
  describe(`TRUST_PROXY_HOPS=${hops} with forged X-Forwarded-For`, function () {
    let server: TestServer;

    before(async () => {
      server = await startTestServer({
        env: {
          TRUST_PROXY_HOPS: String(hops),
          RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100',
          RATE_LIMIT_LOGIN_FAILURES_PER_IP: '3',
          RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '2',
        },
      });
    });
    after(async () => server?.close());

    it(`records the session under ${expected}, not the forged address`, async () => {
      const email = uniqueEmail('ip');
      await createTestAccount(server, { email, password: PASSWORD });
      const tokens = await login(server, { email, password: PASSWORD }, { 'X-Forwarded-For': header() });
      const [session] = (await api(server).get('/api/v1/me/sessions').set(bearer(tokens.access_token))).body;
      assert.equal(session.ip_address, expected);
    });

    it('keeps counting sign-in failures per IP whatever a new forged address each time says', async () => {
      for (let i = 0; i < 3; i += 1) {
        const res = await api(server).post('/api/v1/auth/login').set('X-Forwarded-For', header()).send({ email: uniqueEmail('f'), password: 'wrong password!' });
        assertError(res, 401, 'INVALID_CREDENTIALS');
      }
      const res = await api(server).post('/api/v1/auth/login').set('X-Forwarded-For', header()).send({ email: uniqueEmail('f'), password: 'wrong password!' });
      assertError(res, 429, 'RATE_LIMITED');
    });

    it('keeps counting registrations per IP whatever a new forged address each time says', async () => {
      const register = () => api(server).post('/api/v1/auth/register').set('X-Forwarded-For', header()).send({ email: uniqueEmail('r'), password: PASSWORD });
      for (let i = 0; i < 2; i += 1) assert.equal((await register()).status, 201);
      assertError(await register(), 429, 'RATE_LIMITED');
    });
  });
}

describe('TRUST_PROXY_HOPS=1 tells clients apart by the address the proxy wrote', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { TRUST_PROXY_HOPS: '1', RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '1' } });
  });
  after(async () => server?.close());

  it('limits one client without limiting another behind the same proxy', async () => {
    const register = (xff: string) => api(server).post('/api/v1/auth/register').set('X-Forwarded-For', xff).send({ email: uniqueEmail('r'), password: PASSWORD });
    assert.equal((await register('198.51.100.1')).status, 201);
    assertError(await register('10.0.0.1, 198.51.100.1'), 429, 'RATE_LIMITED');
    assert.equal((await register('198.51.100.1, 198.51.100.2')).status, 201);
  });
});
