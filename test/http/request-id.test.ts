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
import { startTestServer, type TestServer } from '../support/server.ts';

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
});
