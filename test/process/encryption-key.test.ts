// Signing and cookie keys are stored encrypted with ENCRYPTION_KEY (API.md,
// "Data at rest"). A start with another key, or with none, on a database
// whose keys are encrypted stops at once with one line and exit code 1,
// instead of failing every request later (or generating new keys).
import assert from 'node:assert/strict';
import { openStore } from '../../src/storage/open-store.ts';
import { runMain, spawnServer, tempDir, type Run } from '../support/spawn-server.ts';

const KEY = 'the-right-encryption-key-0123456789abcdefghij';
/** Opening PGlite and migrating takes a minute on a loaded machine. */
const PROCESS_TIMEOUT_MS = 180_000;

function assertRefused(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 1, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.ok(!run.stderr.includes('    at ') && !run.stdout.includes('    at '), 'stack trace printed');
}

describe('ENCRYPTION_KEY at start', function () {
  this.timeout(4 * PROCESS_TIMEOUT_MS);

  it('keys encrypted with one key: another key, or none, stops the start with one line', async () => {
    const dir = await tempDir();
    try {
      // A first start generates the keys, encrypted with the configured key.
      const first = await spawnServer({ dataDir: dir.path, env: { ENCRYPTION_KEY: KEY }, readyTimeoutMs: PROCESS_TIMEOUT_MS });
      assert.equal((await first.stop()).code, 0, first.stderr());
      const store = await openStore({ dataDir: dir.path });
      try {
        const stored = await store.secrets.findByKind('signing-key');
        assert.equal(stored.length, 2);
        for (const secret of stored) assert.deepEqual(Object.keys(secret.material), ['sealed'], 'stored unencrypted');
      } finally {
        await store.close();
      }

      const env = { DATA_DIR: dir.path, PORT: '0', LOG_LEVEL: 'warn' };
      assertRefused(await runMain({ ...env, ENCRYPTION_KEY: `${KEY}-but-not-quite` }, PROCESS_TIMEOUT_MS), /ENCRYPTION_KEY does not decrypt/);
      assertRefused(await runMain(env, PROCESS_TIMEOUT_MS), /encrypted: set ENCRYPTION_KEY/);
    } finally {
      await dir.remove();
    }
  });
});
