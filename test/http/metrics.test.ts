// Prometheus metrics (API.md "Operations"): real requests move the counters
// read from GET /metrics on METRICS_PORT, and the public port does not serve them.
import assert from 'node:assert/strict';
import { api, assertError, bearer, login } from '../support/api.ts';
import { freePort } from '../support/free-port.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { enrolTotpUser, wrongCode } from '../support/totp-user.ts';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'metrics-service-secret-0123456789';
let counter = 0;
const uniqueEmail = (tag: string) => `metrics-${tag}-${Date.now()}-${(counter += 1)}@example.com`;

/** One sample's value from the text exposition format, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return 0;
}

describe('metrics (METRICS_PORT)', function () {
  let server: TestServer;
  let metricsUrl: string;
  const scrape = async () => {
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return res.text();
  };

  before(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    server = await startTestServer({
      env: { METRICS_PORT: String(port), RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '2', RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100000' },
      clients: [{ client_id: 'metrics-service', client_secret: SECRET, redirect_uris: [], response_types: [], grant_types: ['client_credentials'] }],
    });
  });
  after(() => server?.close());

  it('is not served on the public port', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /gatehouse_http_requests_total/);
  });

  it('answers only GET /metrics on its own port', async () => {
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/'))).status, 404);
    assert.equal((await fetch(metricsUrl, { method: 'POST' })).status, 404);
  });

  it('counts requests by route template (never a raw path) and status, with durations, and the process metrics', async () => {
    const before = await scrape();
    const route = { method: 'GET', route: '/health', status: '200' };
    await api(server).get('/health').expect(200);
    await api(server).get('/health').expect(200);
    await api(server).get('/api/v1/admin/users/0d7e2a3c-no-such-user').expect(401);
    await api(server).get('/no/such/page/4f1c');
    const after = await scrape();
    assert.equal(sample(after, 'gatehouse_http_requests_total', route) - sample(before, 'gatehouse_http_requests_total', route), 2);
    assert.equal(sample(after, 'gatehouse_http_request_duration_seconds_count', route) - sample(before, 'gatehouse_http_request_duration_seconds_count', route), 2);
    assert.ok(sample(after, 'gatehouse_http_requests_total', { route: '/api/v1/admin/users/:id', status: '401' }) >= 1, 'the template, not the id');
    assert.ok(sample(after, 'gatehouse_http_requests_total', { route: 'unmatched', status: '404' }) >= 1);
    assert.doesNotMatch(after, /0d7e2a3c-no-such-user|4f1c/, 'no raw path in any label');
    assert.ok(sample(after, 'process_cpu_user_seconds_total') > 0, 'default process metrics');
  });

  it('counts oidc-provider routes under their mount point', async () => {
    await api(server).get('/oidc/.well-known/openid-configuration').expect(200);
    assert.ok(sample(await scrape(), 'gatehouse_http_requests_total', { route: '/oidc/.well-known/openid-configuration', status: '200' }) >= 1);
  });

  it('counts sign-ins by result, token grants by type, a refresh-token reuse and a lock', async () => {
    const email = uniqueEmail('signin');
    await createTestAccount(server, { email, password: PASSWORD });
    const before = await scrape();
    const tokens = await login(server, { email, password: PASSWORD });
    assertError(await api(server).post('/api/v1/auth/login').send({ email, password: 'wrong password here' }), 401, 'INVALID_CREDENTIALS');
    assertError(await api(server).post('/api/v1/auth/login').send({ email: uniqueEmail('nobody'), password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    // The second wrong password spends the pair's last point: the lock engages.
    assertError(await api(server).post('/api/v1/auth/login').send({ email, password: 'wrong password again' }), 401, 'INVALID_CREDENTIALS');
    assertError(await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD }), 429, 'RATE_LIMITED');

    const refreshed = await api(server).post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200);
    assertError(await api(server).post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');

    const basic = `Basic ${Buffer.from(`metrics-service:${SECRET}`).toString('base64')}`;
    const cc = await api(server).post('/oidc/token').set('Authorization', basic).type('form').send({ grant_type: 'client_credentials' });
    assert.equal(cc.status, 200, JSON.stringify(cc.body));

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'password', result: 'ok' }), 1);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'password', result: 'wrong_password' }), 2);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'password', result: 'unknown_account' }), 1);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'password', result: 'locked' }), 1);
    assert.equal(moved('gatehouse_rate_limit_locks_total', { limit: 'login' }), 1);
    assert.equal(moved('gatehouse_token_grants_total', { grant_type: 'password' }), 1);
    assert.equal(moved('gatehouse_token_grants_total', { grant_type: 'refresh_token' }), 1);
    assert.equal(moved('gatehouse_token_grants_total', { grant_type: 'client_credentials' }), 1);
    assert.equal(moved('gatehouse_refresh_token_reuse_total'), 1);
    assert.equal(moved('gatehouse_audit_write_failures_total'), 0);
  });

  it('counts MFA_REQUIRED sign-ins and MFA results by factor type', async () => {
    const user = await enrolTotpUser(server, uniqueEmail('mfa'), PASSWORD);
    const before = await scrape();
    const first = await api(server).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    assertError(first, 403, 'MFA_REQUIRED');
    const wrong = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: first.body.mfa.token, code: await wrongCode(user) });
    assertError(wrong, 400, 'INVALID_MFA_CODE');
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'password', result: 'mfa_required' }), 1);
    assert.equal(moved('gatehouse_sign_ins_total', { method: 'mfa', result: 'wrong_code' }), 1);
    assert.equal(moved('gatehouse_mfa_results_total', { type: 'totp', result: 'wrong_code' }), 1);
  });

  it('names no account, address or token anywhere', async () => {
    const email = uniqueEmail('quiet');
    await createTestAccount(server, { email, password: PASSWORD });
    const tokens = await login(server, { email, password: PASSWORD });
    await api(server).get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
    const text = await scrape();
    assert.ok(!text.includes(email) && !text.includes(tokens.access_token.slice(0, 40)));
  });
});
