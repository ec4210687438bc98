// Tracing (API.md "Operations"): with OTEL_EXPORTER_OTLP_ENDPOINT a real
// `node src/main.ts` exports OpenTelemetry traces; a login gives a trace
// whose HTTP server span holds the database calls it made. The receiver is
// an OTLP/HTTP endpoint in this process (OTLP/JSON, asked for with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json). PostgreSQL and MongoDB, because
// PGlite has no driver to instrument.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SHARED_BACKENDS } from '../support/shared-database.ts';
import { spawnServer, tempDir } from '../support/spawn-server.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number | string;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue;
const isServer = (span: OtlpSpan) => span.kind === 2 || span.kind === 'SPAN_KIND_SERVER';

/** An OTLP/HTTP traces endpoint keeping every span it is sent. */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        const message = JSON.parse(body) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
        for (const resource of message.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, spans, server };
}

/** The database spans' system, as the pg and mongodb instrumentations name it. */
const SYSTEMS: Record<string, string> = { PostgreSQL: 'postgresql', MongoDB: 'mongodb' };

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', function () {
  this.timeout(240_000);
  for (const backend of SHARED_BACKENDS) {
    const serverUrl = process.env[backend.variable];
    if (!serverUrl) {
      it(`traces a login with its ${backend.name} spans (set ${backend.variable} to enable; PGlite has no driver spans)`);
      continue;
    }
    it(`exports a login's trace: the HTTP server span, and the ${backend.name} spans inside it`, async () => {
      const database = await backend.open(serverUrl);
      try {
        await traceLogin(database.url, SYSTEMS[backend.name]!);
      } finally {
        await database.drop();
      }
    });
  }
});

async function traceLogin(databaseUrl: string, system: string): Promise<void> {
  const receiver = await startReceiver();
  const dir = await tempDir();
  const server = await spawnServer({
    dataDir: join(dir.path, 'unused'),
    readyTimeoutMs: 150_000,
    env: {
      DATABASE_URL: databaseUrl, REQUIRE_EMAIL_VERIFICATION: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  try {
    const email = `traced-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal((await post('/api/v1/auth/register', { email, password })).status, 201);
    const login = await post('/api/v1/auth/login', { email, password });
    assert.equal(login.status, 200, await login.text());

    // The batch processor sends every 100 ms; a generous bound for a loaded machine, not a timing assertion.
    const loginSpan = () => receiver.spans.find((s) => isServer(s) && (attribute(s, 'url.path') ?? attribute(s, 'http.target')) === '/api/v1/auth/login');
    for (let i = 0; i < 600 && !loginSpan(); i += 1) await new Promise((r) => setTimeout(r, 100));
    const root = loginSpan();
    assert.ok(root, `no server span for the login among ${receiver.spans.length} spans`);
    await new Promise((r) => setTimeout(r, 1_000)); // the rest of that trace's batch

    const trace = receiver.spans.filter((s) => s.traceId === root.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const calls = trace.filter((s) => (attribute(s, 'db.system.name') ?? attribute(s, 'db.system')) === system);
    assert.ok(calls.length > 0, `no ${system} span in the login's trace: ${trace.map((s) => s.name).join(', ')}`);
    for (const span of calls) {
      // Up the parent chain, every link present, to the server span.
      let at: OtlpSpan | undefined = span;
      const chain: string[] = [];
      while (at && at.spanId !== root.spanId) {
        chain.push(at.name);
        at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
      }
      assert.equal(at?.spanId, root.spanId, `span chain ${chain.join(' <- ')} does not reach the login's server span`);
    }
    assert.ok(trace.some((s) => /koa|router|middleware/i.test(s.name) || attribute(s, 'koa.type') !== undefined), 'Koa spans');
    assert.ok(!JSON.stringify(trace).includes(password), 'no password in any span');
  } finally {
    assert.equal((await server.stop()).code, 0, server.stderr());
    receiver.server.close();
    await dir.remove();
  }
}
