// WEB_CONCURRENCY: several worker processes behind one port (src/cluster.ts).
// Refused with the embedded PGlite, whose DATA_DIR one process owns; on a
// PostgreSQL server the primary forks the workers, replaces one that dies
// and stops them all gracefully on SIGTERM.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { freePort } from '../support/free-port.ts';
import { runMain, spawnServer, tempDir } from '../support/spawn-server.ts';

/** Child pids of `pid` (Linux /proc). */
async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function getOnNewConnection(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)));
    }).on('error', reject);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WEB_CONCURRENCY', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('gatehouse-web-concurrency-');
  });
  after(async () => dir?.remove());

  it('is refused above 1 with the embedded database: exit 1, one line naming WEB_CONCURRENCY and PGlite', async () => {
    const result = await runMain({ DATA_DIR: join(dir.path, 'pglite'), PORT: '0', LOG_LEVEL: 'warn', WEB_CONCURRENCY: '2' });
    assert.equal(result.code, 1, `exit ${result.code ?? result.signal}; stderr:\n${result.stderr}`);
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /WEB_CONCURRENCY/);
    assert.match(lines[0]!, /PGlite|embedded/);
    assert.ok(!result.stderr.includes('    at '));
  });

  it('is refused when not a positive whole number', async () => {
    for (const value of ['0', 'two', '1.5']) {
      const result = await runMain({ DATA_DIR: join(dir.path, 'pglite'), PORT: '0', LOG_LEVEL: 'warn', WEB_CONCURRENCY: value });
      assert.equal(result.code, 1, value);
      assert.match(result.stderr, /WEB_CONCURRENCY/);
    }
  });

  describe('on a PostgreSQL server', function () {
    const url = process.env.TEST_DATABASE_URL;
    if (url === undefined) {
      it('runs against PostgreSQL (set TEST_DATABASE_URL to enable)');
      return;
    }
    const schema = `gh_test_${randomBytes(6).toString('hex')}`;
    // Every connection of the child uses the schema (libpq `options`).
    const databaseUrl = () => {
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.href;
    };
    before(async () => {
      const admin = createPgDriver({ url, max: 1 });
      await admin.query(`create schema ${schema}`).finally(() => admin.close());
    });
    after(async () => {
      const admin = createPgDriver({ url, max: 1 });
      await admin.query(`drop schema if exists ${schema} cascade`).finally(() => admin.close());
    });

    it('forks the workers, replaces one that dies, and stops them all on SIGTERM with exit 0', async () => {
      const server = await spawnServer({ dataDir: join(dir.path, 'unused'), logLevel: 'info', env: { DATABASE_URL: databaseUrl(), WEB_CONCURRENCY: '2' } });
      const primary = server.child.pid!;
      try {
        const workers = await waitFor('two workers listening', async () => {
          const pids = await childPids(primary);
          return pids.length === 2 && (server.stdout().match(/"gatehouse cluster listening"/g) ?? []).length === 1 ? pids : undefined;
        });
        const health = await fetch(`${server.url}/health`);
        assert.equal(health.status, 200);

        process.kill(workers[0]!, 'SIGKILL');
        const replaced = await waitFor('a replacement worker', async () => {
          const pids = await childPids(primary);
          return pids.length === 2 && !pids.includes(workers[0]!) ? pids : undefined;
        });
        assert.ok(replaced.includes(workers[1]!));
        await waitFor('the replacement to listen', async () =>
          (server.stdout().match(/"gatehouse listening"/g) ?? []).length === 3 ? true : undefined);
        // Keys live in the database, so every worker publishes the same JWKS
        // (a new connection per request: round-robin reaches both workers).
        const jwks = new Set<string>();
        for (let i = 0; i < 4; i += 1) jwks.add(await getOnNewConnection(`${server.url}/oidc/jwks`));
        assert.equal(jwks.size, 1);

        const exit = await server.stop('SIGTERM');
        assert.equal(exit.code, 0, server.stderr());
        for (const pid of replaced) assert.ok(!isAlive(pid), `worker ${pid} still running`);
      } finally {
        server.child.kill('SIGKILL');
      }
    });

    it('serves every worker\'s metrics, summed, from the primary on METRICS_PORT', async () => {
      const metricsPort = await freePort();
      const server = await spawnServer({
        dataDir: join(dir.path, 'unused'), logLevel: 'info',
        env: { DATABASE_URL: databaseUrl(), WEB_CONCURRENCY: '2', METRICS_PORT: String(metricsPort) },
      });
      try {
        await waitFor('the cluster and its metrics listener', async () =>
          /metrics of every worker/.test(server.stdout()) && /"gatehouse cluster listening"/.test(server.stdout()) ? true : undefined);
        // New connections: round-robin spreads them over both workers, and only
        // the sum of both workers' counts makes 6.
        for (let i = 0; i < 6; i += 1) await getOnNewConnection(`${server.url}/oidc/jwks`);
        const text = await getOnNewConnection(`http://127.0.0.1:${metricsPort}/metrics`);
        const line = text.split('\n').find((l) => l.startsWith('gatehouse_http_requests_total{') && l.includes('route="/oidc/jwks"') && l.includes('status="200"'));
        assert.equal(Number(line?.split(' ').at(-1)), 6, line ?? text);
        // The pg pool's gauge, read at scrape time (idle now: nothing in use, nothing waiting).
        assert.match(text, /^gatehouse_db_pool_connections\{state="in_use"\} 0$/m);
        assert.match(text, /^gatehouse_db_pool_connections\{state="waiting"\} 0$/m);
        assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'not on the public port');
        assert.equal((await server.stop('SIGTERM')).code, 0, server.stderr());
      } finally {
        server.child.kill('SIGKILL');
      }
    });

    it('stops with exit 1 and one line when the workers cannot start (a bad CLIENTS_FILE)', async () => {
      const result = await runMain({
        DATA_DIR: join(dir.path, 'unused'),
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl(),
        WEB_CONCURRENCY: '2',
        CLIENTS_FILE: join(dir.path, 'missing.json'),
      });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /CLIENTS_FILE/);
    });
  });
});
