// A server that talks (API.md "Operations"): at start one line each for the
// database (never its password), the clients and their source, the issuer,
// the docs and where mail goes; progress while the embedded database is
// created; `.env` read when present, the environment winning; a line when
// shutdown is complete. Read from a real `node src/main.ts`'s stdout.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeDatabase } from '../../src/startup-report.ts';
import { freePort } from '../support/free-port.ts';
import { spawnServer, tempDir } from '../support/spawn-server.ts';

// Generous: a first start creates the PGlite cluster and keys, slow on a loaded machine.
const READY_TIMEOUT_MS = 150_000;

/** The `msg` of every JSON log line printed so far. */
const messages = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => String(JSON.parse(line).msg));

describe('start-up and shutdown lines', function () {
  this.timeout(READY_TIMEOUT_MS + 60_000);

  it('says what it uses on start, with progress while the embedded database is created, and when shutdown is complete', async () => {
    const dir = await tempDir();
    try {
      const server = await spawnServer({ dataDir: dir.path, logLevel: 'info', readyTimeoutMs: READY_TIMEOUT_MS });
      const stop = await server.stop();
      assert.equal(stop.code, 0, server.stderr());
      const said = messages(server.stdout());
      const one = (pattern: RegExp) => assert.equal(said.filter((m) => pattern.test(m)).length, 1, `one line ${pattern}:\n${said.join('\n')}`);
      one(/^creating the embedded database \(PGlite\) in .*pglite: the first start takes a while$/);
      one(/^embedded database ready after \d+ ms$/);
      one(new RegExp(`^database: embedded PGlite in ${join(dir.path, 'pglite')}$`));
      one(/^clients loaded \(built-in: gatehouse, /);
      one(new RegExp(`^issuer: ${server.url}/oidc$`));
      one(new RegExp(`^API docs: ${server.url}/docs$`));
      one(/^SMTP_URL is not set: every mail/);
      one(/^gatehouse listening$/);
      one(/^shutdown complete/);
      assert.ok(said.indexOf(said.find((m) => /^shutdown complete/.test(m))!) === said.length - 1, 'the last line');
    } finally {
      await dir.remove();
    }
  });

  it('reads .env from the working directory; a variable set in the environment wins over it', async () => {
    const dir = await tempDir();
    try {
      const metricsPort = await freePort();
      await writeFile(join(dir.path, '.env'), [
        '# a comment, then settings the environment does not set',
        `METRICS_PORT=${metricsPort}`,
        'PRODUCT_NAME="Dot Env Gate"',
        // The environment sets PUBLIC_URL (spawnServer): the file's value must lose.
        'PUBLIC_URL=http://file-loses.example',
      ].join('\n'));
      const server = await spawnServer({ dataDir: join(dir.path, 'data'), cwd: dir.path, logLevel: 'info', readyTimeoutMs: READY_TIMEOUT_MS });
      try {
        const said = messages(server.stdout());
        assert.ok(said.includes('read .env (variables set in the environment win over it)'), said.join('\n'));
        assert.ok(said.includes(`issuer: ${server.url}/oidc`), 'PUBLIC_URL from the environment');
        assert.ok(!server.stdout().includes('file-loses.example'));
        const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        assert.equal(metrics.status, 200, 'METRICS_PORT from the file');
        const home = await (await fetch(`${server.url}/`)).text();
        assert.match(home, /Dot Env Gate/, 'PRODUCT_NAME from the file (quotes removed)');
      } finally {
        assert.equal((await server.stop()).code, 0);
      }
    } finally {
      await dir.remove();
    }
  });

  it('shows a database URL without its password or query', () => {
    assert.equal(describeDatabase({ databaseUrl: 'postgres://gate:s3cret@db.internal:5432/gatehouse?sslmode=require', dataDir: './data' }),
      'postgres://gate:***@db.internal:5432/gatehouse');
    assert.equal(describeDatabase({ databaseUrl: 'postgres://gate@db.internal/gatehouse', dataDir: './data' }), 'postgres://gate:***@db.internal/gatehouse');
    assert.equal(describeDatabase({ databaseUrl: 'mongodb://app:pw%40x@mongo-1:27017,mongo-2:27017/gh?tlsCertificateKeyFilePassword=k', dataDir: './data' }),
      'mongodb://app:***@mongo-1:27017,mongo-2:27017/gh');
    assert.equal(describeDatabase({ databaseUrl: 'postgres://db.internal/gatehouse', dataDir: './data' }), 'postgres://db.internal/gatehouse');
  });
});
