// Load shedding: password hashing runs in a bounded line, so a burst of
// sign-ins past it is answered at once with 503 + Retry-After instead of
// queueing without bound, and /health, discovery and JWKS keep answering.
import assert from 'node:assert/strict';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { fireTogether, statusCounts, type BurstRequest, type BurstResponse } from '../support/burst.ts';

const PASSWORD = 'correct horse battery staple';
const BURST = 200;
/**
 * A liveness bound, not a performance figure: the server answers at all while
 * the burst runs. Generous because test machines share their cores (load
 * averages of 20-30 on 2 cores were seen): there 200 requests that only fail
 * validation keep the loop busy for seconds.
 */
const LIVENESS_MS = 30_000;

describe('sign-in under a burst past the hashing line', function () {
  this.timeout(180_000);
  let server: TestServer;
  let email: string;

  before(async () => {
    server = await startTestServer({
      env: {
        TRUST_PROXY_HOPS: '1',
        PASSWORD_HASH_CONCURRENCY: '2',
        PASSWORD_HASH_QUEUE: '8',
        // The limits are not under test: every attempt should reach the line.
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '100000',
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100000',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: '100000',
      },
    });
    email = `burst-${Date.now()}@example.com`;
    await createTestAccount(server, { email, password: PASSWORD });
  });
  after(async () => server?.close());

  /** Fire the burst and, once it is under way, the liveness probes; both results. */
  async function burstWithProbes(requests: BurstRequest[]): Promise<{ responses: BurstResponse[]; probes: Response[] }> {
    const probeUrls = ['/health', '/oidc/.well-known/openid-configuration', '/oidc/jwks'].map((p) => `${server.url}${p}`);
    const burst = fireTogether(requests);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const probes = Promise.all(probeUrls.map((url) => fetch(url, { signal: AbortSignal.timeout(LIVENESS_MS) })));
    const [responses, answered] = await Promise.all([burst, probes]);
    return { responses, probes: answered };
  }

  function assertShed(responses: BurstResponse[], okStatuses: number[]): BurstResponse[] {
    const counts = statusCounts(responses);
    const shed = responses.filter((r) => r.status === 503);
    assert.ok(shed.length > 0, `no 503 in ${JSON.stringify(counts)}`);
    assert.ok(responses.every((r) => r.status === 503 || okStatuses.includes(r.status)), JSON.stringify(counts));
    for (const res of shed) assert.ok(Number(res.headers.get('retry-after')) >= 1, `Retry-After ${res.headers.get('retry-after')}`);
    return shed;
  }

  it(`/api/v1/auth/login: ${BURST} concurrent sign-ins get some 503 UNAVAILABLE with Retry-After, and /health, discovery and JWKS answer meanwhile`, async () => {
    const { responses, probes } = await burstWithProbes(Array.from({ length: BURST }, (_, i) => ({
      url: `${server.url}/api/v1/auth/login`,
      headers: { 'x-forwarded-for': `198.51.100.${i % 250}` },
      json: { email, password: i % 2 === 0 ? PASSWORD : 'not the password' },
    })));
    const shed = assertShed(responses, [200, 401]);
    assert.equal(JSON.parse(shed[0]!.body).error.code, 'UNAVAILABLE');
    for (const probe of probes) assert.equal(probe.status, 200, probe.url);
    // The line drains: a sign-in after the burst goes through.
    const [after] = await fireTogether([{ url: `${server.url}/api/v1/auth/login`, json: { email, password: PASSWORD } }]);
    assert.equal(after!.status, 200, after!.body);
  });

  it(`/oidc/token: ${BURST} concurrent password grants get some 503 temporarily_unavailable with Retry-After`, async () => {
    const { responses, probes } = await burstWithProbes(Array.from({ length: BURST }, (_, i) => ({
      url: `${server.issuer}/token`,
      headers: { 'x-forwarded-for': `203.0.113.${i % 250}` },
      form: { grant_type: 'password', client_id: 'gatehouse', username: email, password: i % 2 === 0 ? PASSWORD : 'not the password' },
    })));
    const shed = assertShed(responses, [200, 400]);
    assert.equal(JSON.parse(shed[0]!.body).error, 'temporarily_unavailable');
    for (const probe of probes) assert.equal(probe.status, 200, probe.url);
  });
});
