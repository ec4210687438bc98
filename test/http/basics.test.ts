// The foundations every route stands on: health and readiness, the JSON error
// envelope (and oidc-provider keeping its OAuth errors), the JSON body parser's
// refusals, no stack trace in any response, and secrets redacted from logs.
import assert from 'node:assert/strict';
import { request as httpRequest, type Server } from 'node:http';
import Koa from 'koa';
import request from 'supertest';
import { errorHandler } from '../../src/http/middleware/error-handler.ts';
import { DEFAULT_BODY_LIMIT, jsonBody } from '../../src/http/middleware/json-body.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CLIENT = {
  client_id: 'basics-app',
  client_secret: 'basics-secret-0123456789abcdef0123456789abcdef',
  grant_types: ['password', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
  first_party: true,
};
const BASIC = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;

/** What a leaked stack trace or internal path looks like in a body. */
function assertNoStackTrace(res: { text?: string; body?: unknown }): void {
  const text = res.text ?? JSON.stringify(res.body ?? '');
  assert.doesNotMatch(text, /\n\s+at |node_modules|\.ts:\d+|file:\/\//, `stack trace or internal path in:\n${text}`);
}

/** The API.md envelope with this code, and nothing that looks like OAuth's shape. */
function assertEnvelope(body: unknown, code: string): void {
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  assert.equal(typeof error, 'object', `no envelope: ${JSON.stringify(body)}`);
  assert.equal(error!.code, code);
  assert.equal(typeof error!.message, 'string');
  assert.equal((body as { error_description?: unknown }).error_description, undefined);
}

describe('health, readiness and errors', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clients: [CLIENT] });
  });
  after(async () => server?.close());

  it('GET /health answers 200 {status: "ok"}', async function () {
    const res = await request(server.url).get('/health').expect(200).expect('content-type', /application\/json/);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('GET /ready answers 200 while the database answers', async function () {
    const res = await request(server.url).get('/ready');
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.status, 'string');
    assert.equal(res.body.error, undefined);
  });

  for (const authorization of [undefined, 'Bearer not-a-real-token']) {
    it(`answers an unknown /api/v1 route with a JSON 404 envelope (${authorization ? 'with' : 'without'} a token)`, async function () {
      for (const [method, path] of [['get', '/api/v1/anything'], ['post', '/api/v1/anything/else'], ['delete', '/api/v1'], ['get', '/api']] as const) {
        let req = request(server.url)[method](path);
        if (authorization) req = req.set('Authorization', authorization);
        const res = await req;
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.match(res.headers['content-type'] ?? '', /application\/json/);
        assertEnvelope(res.body, 'NOT_FOUND');
        assertNoStackTrace(res);
      }
    });
  }

  it('does not take /apiary for an /api route: a browser gets the 404 page, not the API envelope', async function () {
    const res = await request(server.url).get('/apiary').set('Accept', 'text/html');
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'] ?? '', /text\/html/);
  });

  describe('oidc-provider errors keep the OAuth shape', function () {
    it('an unsupported grant_type from an authenticated client: 400 unsupported_grant_type', async function () {
      const res = await request(server.url)
        .post('/oidc/token')
        .set('Authorization', BASIC)
        .type('form')
        .send({ grant_type: 'foo' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unsupported_grant_type');
      assert.equal(typeof res.body.error_description, 'string');
      assertNoStackTrace(res);
    });

    it('an unsupported grant_type without client authentication: a 400/401 OAuth error string, not the envelope', async function () {
      const res = await request(server.url).post('/oidc/token').type('form').send({ grant_type: 'foo' });
      assert.ok(res.status === 400 || res.status === 401, `status ${res.status}`);
      assert.equal(typeof res.body.error, 'string', JSON.stringify(res.body));
      assert.match(res.body.error, /^[a-z_]+$/);
      assertNoStackTrace(res);
    });

    it('a wrong client secret: 401 invalid_client', async function () {
      const res = await request(server.url)
        .post('/oidc/token')
        .auth(CLIENT.client_id, 'wrong-secret-0123456789abcdef0123456789')
        .type('form')
        .send({ grant_type: 'password', username: 'x@example.com', password: 'whatever' });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'invalid_client');
      assertNoStackTrace(res);
    });

    it('a JSON body at the token endpoint: an OAuth error, not MALFORMED_JSON or UNSUPPORTED_MEDIA_TYPE', async function () {
      const res = await request(server.url).post('/oidc/token').set('Authorization', BASIC).type('json').send('{bad json');
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.equal(typeof res.body.error, 'string', JSON.stringify(res.body));
      assertNoStackTrace(res);
    });
  });
});

describe('when the database stops answering', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clients: [CLIENT] });
    // A real closed PGlite: every query, ping included, now rejects.
    await server.store.close();
  });
  // The store is already closed; closing it again may reject, which is not under test here.
  after(async () => server?.close().catch(() => {}));

  it('GET /ready answers 503 UNAVAILABLE in the envelope', async function () {
    const res = await request(server.url).get('/ready');
    assert.equal(res.status, 503);
    assertEnvelope(res.body, 'UNAVAILABLE');
    assertNoStackTrace(res);
  });

  it('GET /health still answers 200: the process runs', async function () {
    const res = await request(server.url).get('/health').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('the token endpoint answers an OAuth error without a stack trace', async function () {
    const res = await request(server.url)
      .post('/oidc/token')
      .set('Authorization', BASIC)
      .type('form')
      .send({ grant_type: 'password', username: 'x@example.com', password: 'whatever password', scope: 'openid' });
    assert.ok(res.status >= 400, `status ${res.status}`);
    assert.equal(typeof res.body.error, 'string', JSON.stringify(res.body));
    assertNoStackTrace(res);
  });

  it('an interaction page answers an error page without a stack trace', async function () {
    const res = await request(server.url).get('/interaction/some-uid');
    assert.ok(res.status >= 400, `status ${res.status}`);
    assertNoStackTrace(res);
  });
});

describe('jsonBody middleware', function () {
  let server: Server;
  let url: string;

  before(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(errorHandler(createLogger('silent')));
    app.use(jsonBody());
    app.use((ctx) => {
      ctx.body = { received: ctx.request.body ?? null };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A JSON document of exactly `bytes` bytes. */
  const jsonOfSize = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - '{"pad":""}'.length) });

  it('passes a valid JSON body through, parsed', async function () {
    const doc = { email: 'ann@example.com', nested: { list: [1, 2, 3] }, unicode: 'żółw' };
    const res = await request(url).post('/').send(doc).expect(200);
    assert.deepEqual(res.body, { received: doc });
  });

  it('accepts application/*+json and a charset parameter', async function () {
    const merge = await request(url).patch('/').set('Content-Type', 'application/merge-patch+json').send('{"name":null}');
    assert.equal(merge.status, 200);
    assert.deepEqual(merge.body, { received: { name: null } });
    const charset = await request(url).post('/').set('Content-Type', 'application/json; charset=utf-8').send('[true]');
    assert.deepEqual(charset.body, { received: [true] });
  });

  it('leaves a request without a body alone, whatever its content type', async function () {
    const res = await request(url).post('/').set('Content-Type', 'text/plain').expect(200);
    assert.deepEqual(res.body, { received: null });
  });

  it('accepts a body of exactly the limit (64 KiB)', async function () {
    assert.equal(DEFAULT_BODY_LIMIT, 64 * 1024);
    const body = jsonOfSize(DEFAULT_BODY_LIMIT);
    assert.equal(Buffer.byteLength(body), DEFAULT_BODY_LIMIT);
    const res = await request(url).post('/').type('json').send(body);
    assert.equal(res.status, 200);
    assert.equal((res.body.received as { pad: string }).pad.length, DEFAULT_BODY_LIMIT - 10);
  });

  it('refuses a body one byte over 64 KiB with 413 PAYLOAD_TOO_LARGE', async function () {
    const res = await request(url).post('/').type('json').send(jsonOfSize(DEFAULT_BODY_LIMIT + 1));
    assert.equal(res.status, 413);
    assertEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an oversized chunked body (no Content-Length) with 413 PAYLOAD_TOO_LARGE', async function () {
    const res = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = httpRequest(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      });
      // The server may answer and close before the whole body is written.
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
      const chunk = 'x'.repeat(16 * 1024);
      req.write('{"pad":"');
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end('"}');
    });
    assert.equal(res.status, 413);
    assertEnvelope(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses `{bad json` with 400 MALFORMED_JSON', async function () {
    const res = await request(url).post('/').type('json').send('{bad json');
    assert.equal(res.status, 400);
    assertEnvelope(res.body, 'MALFORMED_JSON');
    assertNoStackTrace(res);
  });

  it('refuses a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async function () {
    const res = await request(url).post('/').set('Content-Type', 'text/plain').send('{"a":1}');
    assert.equal(res.status, 415);
    assertEnvelope(res.body, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a form body with 415 UNSUPPORTED_MEDIA_TYPE', async function () {
    const res = await request(url).post('/').type('form').send({ email: 'ann@example.com' });
    assert.equal(res.status, 415);
    assertEnvelope(res.body, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('log redaction', function () {
  /** A logger whose output lands in `lines` (one JSON document per entry). */
  function capturedLogger() {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    return { logger, lines };
  }

  it('redacts passwords, tokens, authorization and cookies at every level the API logs them', function () {
    const { logger, lines } = capturedLogger();
    logger.info(
      {
        password: 'hunter2',
        body: { password: 'x-body-password', refresh_token: 'y-refresh-token', client_secret: 'z-client-secret', new_password: 'n-new-password' },
        headers: { authorization: 'Bearer z-bearer-token', cookie: 'c-session-cookie' },
        req: { headers: { authorization: 'Bearer r-req-bearer', cookie: 'r-req-cookie' } },
        visible: 'kept-in-the-log',
      },
      'request with secrets',
    );
    assert.equal(lines.length, 1, 'the entry was not written to the given destination');
    const text = lines[0]!;
    const entry = JSON.parse(text) as Record<string, unknown>;
    assert.equal(entry.msg, 'request with secrets');
    assert.equal(entry.visible, 'kept-in-the-log');
    for (const secret of [
      'hunter2', 'x-body-password', 'y-refresh-token', 'z-client-secret', 'n-new-password',
      'z-bearer-token', 'c-session-cookie', 'r-req-bearer', 'r-req-cookie',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked into the log: ${text}`);
    }
    // Redacted, not dropped: an operator sees the field was there.
    assert.equal(entry.password, '[redacted]');
    assert.equal((entry.headers as Record<string, unknown>).authorization, '[redacted]');
  });

  it('respects the level it was given', function () {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    logger.info('not written');
    logger.warn('written');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['written']);
  });
});
