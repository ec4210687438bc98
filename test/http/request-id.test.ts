// X-Request-Id (API.md "Errors"): a sane id the caller sends is kept, any
// other is replaced by a fresh one; every response carries it, error bodies
// carry it as request_id, and the request's log line names it.
import assert from 'node:assert/strict';
import Koa from 'koa';
import request from 'supertest';
import { NotFoundError } from '../../src/errors.ts';
import { errorHandler } from '../../src/http/middleware/error-handler.ts';
import { requestId } from '../../src/http/middleware/request-id.ts';
import { requestLog } from '../../src/http/middleware/request-log.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { api, bearer, login } from '../support/api.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('keeps a sane id the caller sends, on the API, the pages, health and oidc-provider', async function () {
    for (const path of ['/api/v1/nothing-here', '/account/register', '/health', '/oidc/.well-known/openid-configuration']) {
      const res = await request(server.url).get(path).set('X-Request-Id', 'trace-42.a_b:c');
      assert.equal(res.headers['x-request-id'], 'trace-42.a_b:c', path);
    }
  });

  it('generates a UUID when there is none, or the one sent is too long or has other characters', async function () {
    const offered = [undefined, 'x'.repeat(129), 'has space', 'semi;colon', 'quote"d', '<script>', ''];
    const seen = new Set<string>();
    for (const id of offered) {
      const req = request(server.url).get('/health');
      const res = id === undefined ? await req : await req.set('X-Request-Id', id);
      const answered = String(res.headers['x-request-id']);
      assert.match(answered, UUID, `for ${JSON.stringify(id)}`);
      seen.add(answered);
    }
    assert.equal(seen.size, offered.length, 'each request gets its own id');
  });

  it('puts the id in the error envelope as request_id', async function () {
    const res = await request(server.url).get('/api/v1/nothing-here').set('X-Request-Id', 'abc-123');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: { code: 'NOT_FOUND', message: 'No route for GET /api/v1/nothing-here.', request_id: 'abc-123' } });
    const generated = await request(server.url).post('/api/v1/auth/login').send({});
    assert.equal(generated.body.error.code, 'VALIDATION_FAILED');
    assert.equal(generated.body.error.request_id, generated.headers['x-request-id']);
  });

  it('names the id in the request log line and in the error log line', async function () {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = new Koa();
    app.use(requestId()).use(requestLog(logger)).use(errorHandler(logger));
    app.use((ctx) => {
      if (ctx.path === '/boom') throw new Error('a bug');
      throw new NotFoundError();
    });
    await request(app.callback()).get('/missing').set('X-Request-Id', 'line-1');
    await request(app.callback()).get('/boom').set('X-Request-Id', 'line-2');
    const requests = lines.filter((line) => line.msg === 'request');
    assert.deepEqual(requests.map((line) => [line.requestId, line.status]), [['line-1', 404], ['line-2', 500]]);
    assert.equal(lines.find((line) => line.msg === 'unhandled error')?.requestId, 'line-2');
  });

  describe('on a running server', function () {
    const PASSWORD = 'correct horse battery staple';
    let logged: TestServer;
    const lines: Array<Record<string, unknown>> = [];
    before(async () => {
      logged = await startTestServer({ env: { LOG_LEVEL: 'info' }, logDestination: { write: (line) => void lines.push(JSON.parse(line)) } });
    });
    after(() => logged?.close());
    const linesOf = (id: string) => lines.filter((line) => line.requestId === id);

    it('puts the id in the header, the envelope and the request\'s log line, with the account and the IP, never the password', async () => {
      const email = `log-${Date.now()}@example.com`;
      const { id: accountId } = await createTestAccount(logged, { email, password: PASSWORD });
      const res = await api(logged).post('/api/v1/auth/login').set('X-Request-Id', 'wrong-pw-1').send({ email, password: 'not the password at all' });
      assert.equal(res.status, 401);
      assert.equal(res.headers['x-request-id'], 'wrong-pw-1');
      assert.equal(res.body.error.request_id, 'wrong-pw-1');
      const [line, ...more] = linesOf('wrong-pw-1');
      assert.equal(more.length, 0);
      assert.equal(line?.msg, 'request');
      assert.equal(line?.status, 401);
      assert.equal(line?.accountId, accountId);
      assert.match(String(line?.ip), /127\.0\.0\.1/);
      assert.ok(!JSON.stringify(lines).includes('not the password at all'));
    });

    it('names the request in a line a service writes while serving it (the mail logged without SMTP_URL)', async () => {
      const email = `log-reset-${Date.now()}@example.com`;
      await createTestAccount(logged, { email, password: PASSWORD });
      const res = await api(logged).post('/api/v1/auth/password-reset').set('X-Request-Id', 'reset-1').send({ email });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      // The mail leaves after the answer; wait for its line (generous bound, not a timing assertion).
      for (let i = 0; i < 200 && !linesOf('reset-1').some((line) => line.mail); i += 1) await new Promise((r) => setTimeout(r, 50));
      const mailLine = linesOf('reset-1').find((line) => line.mail);
      assert.ok(mailLine, 'the mail line carries the request id');
      assert.match(String(mailLine.ip), /127\.0\.0\.1/);
    });

    it('names the session and the client of a bearer request, and the client of a token request, without the tokens', async () => {
      const email = `log-bearer-${Date.now()}@example.com`;
      const { id: accountId } = await createTestAccount(logged, { email, password: PASSWORD });
      const tokens = await login(logged, { email, password: PASSWORD });
      const me = await api(logged).get('/api/v1/me').set(bearer(tokens.access_token)).set('X-Request-Id', 'me-1');
      assert.equal(me.status, 200);
      const [line] = linesOf('me-1');
      assert.equal(line?.accountId, accountId);
      assert.equal(typeof line?.sessionId, 'string');
      const refreshed = await api(logged).post('/oidc/token').set('X-Request-Id', 'refresh-1').type('form')
        .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'gatehouse' });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(linesOf('refresh-1')[0]?.clientId, 'gatehouse');
      const text = JSON.stringify(lines);
      assert.ok(!text.includes(tokens.access_token) && !text.includes(tokens.refresh_token) && !text.includes(refreshed.body.access_token));
    });
  });
});
