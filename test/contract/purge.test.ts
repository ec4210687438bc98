import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startExpiredPurge } from '../../src/services/purge-expired.ts';
import type { NewSession, Store } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const longAgo = new Date('2000-01-01T00:00:00Z');
const afterLongAgo = new Date('2000-06-01T00:00:00Z');
const inAnHour = () => new Date(Date.now() + 3600_000);

function session(accountId: string, expiresAt: Date): NewSession {
  return {
    id: randomUUID(), accountId, kind: 'api', clientId: 'app', deviceName: null, deviceType: null,
    userAgent: null, ipAddress: null, expiresAt,
  };
}

/** The store's three purgeable ports, each recording what its deleteExpired calls returned. */
function recording(store: Store) {
  const calls = { oidc: [] as number[], sessions: [] as number[], oneTimeTokens: [] as number[], audit: [] as number[] };
  const wrap = (port: { deleteExpired(now: Date): Promise<number> }, into: number[]) => ({
    deleteExpired: async (now: Date) => {
      const n = await port.deleteExpired(now);
      into.push(n);
      return n;
    },
  });
  return {
    calls,
    deps: {
      oidc: wrap(store.oidc, calls.oidc),
      sessions: wrap(store.sessions, calls.sessions),
      oneTimeTokens: wrap(store.oneTimeTokens, calls.oneTimeTokens),
      audit: { deleteOlderThan: wrap({ deleteExpired: (before) => store.audit.deleteOlderThan(before) }, calls.audit).deleteExpired },
      auditRetentionDays: 90,
    },
  };
}

const noop = { deleteExpired: async () => 0 };
const keepAudit = { audit: { deleteOlderThan: async () => 0 }, auditRetentionDays: 90 };

forEachBackend('startExpiredPurge', (getStore) => {
  it('deletes expired records, expired or revoked sessions and expired tokens on its interval, and stops', async () => {
    const store = getStore();
    const { id: accountId } = await store.accounts.insert({
      id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: true, name: null, role: 'user', passwordHash: 'h',
    });
    const [expired, live] = [randomUUID(), randomUUID()];
    await store.oidc.upsert('AccessToken', expired, {}, longAgo);
    await store.oidc.upsert('AccessToken', live, {}, inAnHour());
    const [expiredSession, revokedSession, liveSession] = [session(accountId, longAgo), session(accountId, inAnHour()), session(accountId, inAnHour())];
    for (const s of [expiredSession, revokedSession, liveSession]) await store.sessions.upsert(s, longAgo);
    assert.equal(await store.sessions.revoke(revokedSession.id, accountId, longAgo), true);
    const [expiredToken, liveToken] = [randomUUID(), randomUUID()];
    await store.oneTimeTokens.insertReplacing({ hash: expiredToken, accountId, purpose: 'verify-email', expiresAt: longAgo });
    await store.oneTimeTokens.insertReplacing({ hash: liveToken, accountId, purpose: 'reset-password', expiresAt: inAnHour() });

    // Audit events: one past AUDIT_RETENTION_DAYS (90), one just inside it.
    const subjectId = randomUUID();
    const event = (at: Date) => ({
      id: randomUUID(), at, type: 'sign_in', result: 'success' as const, actorType: 'user' as const, actorId: subjectId,
      subjectId, clientId: null, sessionId: null, ip: null, userAgent: null, reason: null, details: {},
    });
    const [oldEvent, keptEvent] = [event(new Date(Date.now() - 91 * 86_400_000)), event(new Date(Date.now() - 89 * 86_400_000))];
    for (const e of [oldEvent, keptEvent]) await store.audit.insert(e);

    const { calls, deps } = recording(store);
    const purge = startExpiredPurge({ ...deps, intervalMs: 10 });
    try {
      await until(() => calls.oneTimeTokens.length >= 2 && calls.audit.length >= 2);
    } finally {
      purge.stop();
    }
    assert.ok(calls.oidc.includes(1), `expected one purge to delete the expired record, got ${calls.oidc}`);
    assert.ok(calls.sessions.includes(2), `expected one purge to delete the expired and the revoked session, got ${calls.sessions}`);
    assert.ok(calls.oneTimeTokens.includes(1), `expected one purge to delete the expired token, got ${calls.oneTimeTokens}`);
    assert.equal(await store.oidc.deleteExpired(afterLongAgo), 0);
    assert.equal(await store.sessions.deleteExpired(afterLongAgo), 0);
    assert.equal(await store.oneTimeTokens.deleteExpired(afterLongAgo), 0);
    assert.ok(await store.oidc.find('AccessToken', live));
    assert.equal((await store.sessions.findLive(liveSession.id, new Date()))?.id, liveSession.id);
    assert.equal(await store.oneTimeTokens.findLive(liveToken, 'reset-password', new Date()), accountId);
    assert.deepEqual((await store.audit.listForSubject(subjectId, { limit: 5 })).map((e) => e.id), [keptEvent.id]);
    const count = calls.oidc.length;
    await sleep(50);
    assert.ok(calls.oidc.length <= count + 1, 'no further runs after stop (one may have been in flight)');
  });
});

describe('startExpiredPurge failure handling', () => {
  it('logs a failing step with its name, still runs the other steps, and keeps running', async () => {
    const warnings: Array<{ obj: object; msg: string }> = [];
    let attempts = 0;
    let laterSteps = 0;
    const purge = startExpiredPurge({
      oidc: noop,
      sessions: { deleteExpired: async () => { attempts += 1; throw new Error('database down'); } },
      oneTimeTokens: { deleteExpired: async () => { laterSteps += 1; return 0; } },
      ...keepAudit,
      intervalMs: 5,
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    try {
      await until(() => warnings.length >= 2 && laterSteps >= 2);
    } finally {
      purge.stop();
    }
    assert.ok(attempts >= 2);
    const first = warnings[0]?.obj as { err?: Error; step?: string };
    assert.match(String(first.err?.message), /database down/);
    assert.equal(first.step, 'sessions');
    assert.match(String(warnings[0]?.msg), /sessions/);
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
      sessions: noop,
      oneTimeTokens: noop,
      ...keepAudit,
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
