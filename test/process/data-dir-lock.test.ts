// The embedded database belongs to one process (API.md, "Data at rest"): a
// second server or `gatehouse create-admin` on a DATA_DIR in use stops at once with one
// line naming the PID that holds it, instead of running against its own copy
// of the files and losing its writes. A lock left by a dead process does not
// block the next start.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE } from '../../src/storage/data-dir-lock.ts';
import { freePort } from '../support/free-port.ts';
import { runMain, runNode, spawnServer, tempDir, type Run } from '../support/spawn-server.ts';

function assertRefusedNaming(run: Run, pid: number): void {
  assert.equal(run.code, 1, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, new RegExp(`DATA_DIR .* in use by process ${pid}\\b`));
  assert.ok(!run.stderr.includes('    at ') && !run.stdout.includes('    at '), 'stack trace printed');
}

/** The PID of a process that has just exited (a stale lock's owner). */
async function deadPid(): Promise<number> {
  const run = await runNode(['-e', 'console.log(process.pid)'], {});
  return Number.parseInt(run.stdout, 10);
}

/** `gatehouse create-admin` on the DATA_DIR, the password on stdin. */
const createAdmin = (dataDir: string) =>
  runNode(['src/cli/gatehouse.ts', 'create-admin', '--email', 'root@example.com'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, PROCESS_TIMEOUT_MS, 'a long admin passphrase\n');

/** Opening PGlite and migrating takes seconds alone and a minute on a loaded machine. */
const PROCESS_TIMEOUT_MS = 180_000;

describe('DATA_DIR lock', function () {
  this.timeout(4 * PROCESS_TIMEOUT_MS);

  it('a second server and gatehouse create-admin on a DATA_DIR in use stop with one line naming the holder', async () => {
    const dir = await tempDir();
    const server = await spawnServer({ dataDir: dir.path, readyTimeoutMs: PROCESS_TIMEOUT_MS });
    try {
      const holder = server.child.pid!;
      const second = await runMain({ DATA_DIR: dir.path, PORT: String(await freePort()), LOG_LEVEL: 'warn' }, PROCESS_TIMEOUT_MS);
      assertRefusedNaming(second, holder);

      const refused = await createAdmin(dir.path);
      assertRefusedNaming(refused, holder);
      assert.equal(refused.stdout, '');

      // The refused processes did not take the lock from its holder.
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      const stopped = await server.stop();
      assert.equal(stopped.code, 0);

      // Released on a clean stop: the command now runs.
      const after = await createAdmin(dir.path);
      assert.equal(after.code, 0, after.stderr);
      assert.match(after.stdout, /created admin/);
    } finally {
      await server.stop();
      await dir.remove();
    }
  });

  it('a lock left by a process that no longer runs does not block the next start', async () => {
    const dir = await tempDir();
    await writeFile(join(dir.path, LOCK_FILE), `${await deadPid()}\n`);
    const run = await createAdmin(dir.path);
    try {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /created admin/);
    } finally {
      await dir.remove();
    }
  });
});
