import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startExpiredPurge } from '../../src/services/purge-expired.ts';
import { forEachBackend } from './backends.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

forEachBackend('startExpiredPurge', (getStore) => {
  it('deletes expired records on its interval, keeps live ones, and stops', async () => {
    const oidc = getStore().oidc;
    const [expired, live] = [randomUUID(), randomUUID()];
    await oidc.upsert('AccessToken', expired, {}, new Date('2000-01-01T00:00:00Z'));
    await oidc.upsert('AccessToken', live, {}, new Date(Date.now() + 3600_000));
    const calls: number[] = [];
    const purge = startExpiredPurge({
      oidc: { deleteExpired: async (now) => { const n = await oidc.deleteExpired(now); calls.push(n); return n; } },
      intervalMs: 10,
    });
    try {
      await until(() => calls.length >= 2);
    } finally {
      purge.stop();
    }
    assert.ok(calls.includes(1), `expected one purge to delete the expired record, got ${calls}`);
    assert.equal(await oidc.deleteExpired(new Date('2000-06-01T00:00:00Z')), 0);
    assert.ok(await oidc.find('AccessToken', live));
    const count = calls.length;
    await sleep(50);
    assert.ok(calls.length <= count + 1, 'no further runs after stop (one may have been in flight)');
  });
});

describe('startExpiredPurge failure handling', () => {
  it('logs a failing purge and keeps running', async () => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    let attempts = 0;
    const purge = startExpiredPurge({
      oidc: { deleteExpired: async () => { attempts += 1; throw new Error('database down'); } },
      intervalMs: 5,
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    try {
      await until(() => warnings.length >= 2);
    } finally {
      purge.stop();
    }
    assert.ok(attempts >= 2);
    assert.match(String((warnings[0]?.obj as { err?: Error }).err?.message), /database down/);
  });

  it('does not throw without a logger and never overlaps a slow run', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const purge = startExpiredPurge({
      oidc: {
        deleteExpired: async () => {
          running += 1;
          runs += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(30);
          running -= 1;
          if (runs === 1) throw new Error('first run fails');
          return 0;
        },
      },
      intervalMs: 2,
    });
    try {
      await until(() => runs >= 3);
    } finally {
      purge.stop();
    }
    assert.equal(maxRunning, 1);
  });
});
