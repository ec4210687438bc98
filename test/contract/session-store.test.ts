import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewSession, Store } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const MINUTE = 60_000;
// A fixed clock: every SessionStore method takes `now` from its caller.
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

async function newAccountId(store: Store): Promise<string> {
  const account = await store.accounts.insert({
    id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: true, name: null, role: 'user', passwordHash: 'h',
  });
  return account.id;
}

function newSession(accountId: string, overrides: Partial<NewSession> = {}): NewSession {
  return {
    id: randomUUID(),
    accountId,
    kind: 'api',
    clientId: 'first-party-app',
    deviceName: 'Ada’s laptop',
    deviceType: 'desktop',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    ipAddress: '203.0.113.7',
    expiresAt: at(60),
    amr: ['pwd'],
    ...overrides,
  };
}

forEachBackend('SessionStore', (getStore) => {
  const sessions = () => getStore().sessions;

  describe('findLiveWithAccount', () => {
    it('reads the live session and its account exactly as findLive and accounts.findById do', async () => {
      const store = getStore();
      const input = newSession(await newAccountId(store));
      await sessions().upsert(input, t0);
      assert.deepEqual(await sessions().findLiveWithAccount(input.id, at(1)), {
        session: await sessions().findLive(input.id, at(1)),
        account: await store.accounts.findById(input.accountId),
      });
    });

    it('is undefined for a revoked, expired or unknown session, and once the account is deleted', async () => {
      const store = getStore();
      const revoked = newSession(await newAccountId(store));
      const expiring = newSession(await newAccountId(store), { expiresAt: at(10) });
      const orphaned = newSession(await newAccountId(store));
      for (const session of [revoked, expiring, orphaned]) await sessions().upsert(session, t0);
      await sessions().revoke(revoked.id, revoked.accountId, at(1));
      await store.accounts.delete(orphaned.accountId);
      assert.equal(await sessions().findLiveWithAccount(revoked.id, at(2)), undefined);
      assert.ok(await sessions().findLiveWithAccount(expiring.id, at(9)));
      assert.equal(await sessions().findLiveWithAccount(expiring.id, at(10)), undefined);
      assert.equal(await sessions().findLiveWithAccount(orphaned.id, at(2)), undefined);
      assert.equal(await sessions().findLiveWithAccount(randomUUID(), t0), undefined);
    });
  });

  describe('upsert and findLive', () => {
    it('inserts a session with createdAt = lastActiveAt = now and reads every field back', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      assert.deepEqual(await sessions().findLive(input.id, at(1)), { ...input, createdAt: t0, lastActiveAt: t0, revokedAt: null });
    });

    it('keeps nulls: a browser session without client or device details', async () => {
      const input = newSession(await newAccountId(getStore()), {
        kind: 'browser', clientId: null, deviceName: null, deviceType: null, userAgent: null, ipAddress: null,
      });
      await sessions().upsert(input, t0);
      assert.deepEqual(await sessions().findLive(input.id, t0), { ...input, createdAt: t0, lastActiveAt: t0, revokedAt: null });
    });

    it('on an existing live id, sets only expiresAt and lastActiveAt', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      await sessions().upsert({ ...input, expiresAt: at(120), deviceName: 'changed', kind: 'browser', ipAddress: null }, at(30));
      assert.deepEqual(await sessions().findLive(input.id, at(90)), {
        ...input, expiresAt: at(120), createdAt: t0, lastActiveAt: at(30), revokedAt: null,
      });
    });

    it('keeps the stored amr when an upsert gives none, and takes a non-empty one (a sign-in again with a second factor)', async () => {
      const input = newSession(await newAccountId(getStore()), { kind: 'browser', clientId: null });
      await sessions().upsert(input, t0);
      await sessions().upsert({ ...input, amr: [] }, at(1));
      assert.deepEqual((await sessions().findLive(input.id, at(2)))?.amr, ['pwd']);
      await sessions().upsert({ ...input, amr: undefined }, at(2));
      assert.deepEqual((await sessions().findLive(input.id, at(3)))?.amr, ['pwd']);
      await sessions().upsert({ ...input, amr: ['pwd', 'otp', 'mfa'] }, at(3));
      assert.deepEqual((await sessions().findLive(input.id, at(4)))?.amr, ['pwd', 'otp', 'mfa']);
      const bare = newSession(await newAccountId(getStore()), { amr: undefined });
      await sessions().upsert(bare, t0);
      assert.deepEqual((await sessions().findLive(bare.id, t0))?.amr, []);
    });

    it('never revives a revoked session', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      assert.equal(await sessions().revoke(input.id, input.accountId, at(1)), true);
      await sessions().upsert({ ...input, expiresAt: at(500) }, at(2));
      assert.equal(await sessions().findLive(input.id, at(3)), undefined);
      assert.deepEqual(await sessions().findLiveByAccount(input.accountId, at(3)), []);
    });

    it('is undefined once expiresAt is reached, and for an unknown id', async () => {
      const input = newSession(await newAccountId(getStore()), { expiresAt: at(10) });
      await sessions().upsert(input, t0);
      assert.ok(await sessions().findLive(input.id, at(9)));
      assert.equal(await sessions().findLive(input.id, at(10)), undefined);
      assert.equal(await sessions().findLive(input.id, at(11)), undefined);
      assert.equal(await sessions().findLive(randomUUID(), t0), undefined);
    });
  });

  describe('findLiveByAccount', () => {
    it('lists the account’s live sessions newest first, without revoked, expired or other accounts’ ones', async () => {
      const [accountId, otherId] = [await newAccountId(getStore()), await newAccountId(getStore())];
      const [oldest, middle, newest, revoked, expired] = Array.from({ length: 5 }, () => newSession(accountId));
      await sessions().upsert(middle!, at(2));
      await sessions().upsert(oldest!, at(1));
      await sessions().upsert(newest!, at(3));
      await sessions().upsert(revoked!, at(4));
      await sessions().upsert({ ...expired!, expiresAt: at(5) }, at(4));
      await sessions().upsert(newSession(otherId), at(4));
      await sessions().revoke(revoked!.id, accountId, at(5));
      const listed = await sessions().findLiveByAccount(accountId, at(6));
      assert.deepEqual(listed.map((s) => s.id), [newest!.id, middle!.id, oldest!.id]);
      assert.deepEqual(listed[0], { ...newest, createdAt: at(3), lastActiveAt: at(3), revokedAt: null });
      assert.deepEqual(await sessions().findLiveByAccount(randomUUID(), at(6)), []);
    });
  });

  describe('countLive', () => {
    it('counts the live sessions of every account, without revoked or expired ones', async () => {
      const [accountId, otherId] = [await newAccountId(getStore()), await newAccountId(getStore())];
      const before = await sessions().countLive(at(6));
      const [one, two, revoked, expired] = Array.from({ length: 4 }, () => newSession(accountId));
      await sessions().upsert(one!, at(1));
      await sessions().upsert(two!, at(1));
      await sessions().upsert(revoked!, at(1));
      await sessions().upsert({ ...expired!, expiresAt: at(5) }, at(1));
      await sessions().upsert(newSession(otherId), at(1));
      await sessions().revoke(revoked!.id, accountId, at(2));
      assert.equal(await sessions().countLive(at(6)), before + 3);
    });
  });

  describe('extend', () => {
    it('moves expiresAt later, never earlier, and never on a revoked session', async () => {
      const input = newSession(await newAccountId(getStore()), { expiresAt: at(10) });
      await sessions().upsert(input, t0);
      await sessions().extend(input.id, at(100));
      assert.equal((await sessions().findLive(input.id, at(50)))?.expiresAt.getTime(), at(100).getTime());
      await sessions().extend(input.id, at(20));
      assert.equal((await sessions().findLive(input.id, at(50)))?.expiresAt.getTime(), at(100).getTime());
      // A later save of the browser session with a nearer end keeps the extension.
      await sessions().upsert({ ...input, expiresAt: at(40) }, at(30));
      assert.equal((await sessions().findLive(input.id, at(50)))?.expiresAt.getTime(), at(100).getTime());
      assert.equal(await sessions().revoke(input.id, input.accountId, at(51)), true);
      await sessions().extend(input.id, at(500));
      assert.equal(await sessions().findLive(input.id, at(52)), undefined);
      await sessions().extend(randomUUID(), at(5));
    });
  });

  describe('touch', () => {
    it('sets lastActiveAt on a live session only, and ignores a missing one', async () => {
      const input = newSession(await newAccountId(getStore()), { expiresAt: at(10) });
      await sessions().upsert(input, t0);
      await sessions().touch(input.id, at(5));
      assert.equal((await sessions().findLive(input.id, at(6)))?.lastActiveAt.getTime(), at(5).getTime());
      await sessions().touch(input.id, at(11)); // expired by then
      assert.equal((await sessions().findLive(input.id, at(6)))?.lastActiveAt.getTime(), at(5).getTime());
      await sessions().touch(randomUUID(), at(5));
    });
  });

  describe('revoke', () => {
    it('revokes a live session of its account once', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      assert.equal(await sessions().revoke(input.id, input.accountId, at(1)), true);
      assert.equal(await sessions().findLive(input.id, at(1)), undefined);
      assert.equal(await sessions().revoke(input.id, input.accountId, at(2)), false);
    });

    it('refuses another account’s session and leaves it live', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      assert.equal(await sessions().revoke(input.id, await newAccountId(getStore()), at(1)), false);
      assert.ok(await sessions().findLive(input.id, at(1)));
    });

    it('stays revoked when 100 touches and saves of the session race the revocation, and reports it once', async () => {
      const input = newSession(await newAccountId(getStore()));
      await sessions().upsert(input, t0);
      // All prepared, then fired together: a lost update would write revokedAt away.
      const writes = Array.from({ length: 100 }, (_, i) => () =>
        i % 2 === 0 ? sessions().touch(input.id, at(1)) : sessions().upsert(input, at(1)));
      const revokes = Array.from({ length: 3 }, () => () => sessions().revoke(input.id, input.accountId, at(1)));
      const results = await Promise.all([...revokes, ...writes].map((fire) => fire()));
      assert.equal(results.slice(0, 3).filter((won) => won === true).length, 1);
      assert.equal(await sessions().findLive(input.id, at(2)), undefined);
      assert.equal((await sessions().findLiveByAccount(input.accountId, at(2))).length, 0);
    });

    it('is false for an expired or unknown session', async () => {
      const input = newSession(await newAccountId(getStore()), { expiresAt: at(10) });
      await sessions().upsert(input, t0);
      assert.equal(await sessions().revoke(input.id, input.accountId, at(10)), false);
      assert.equal(await sessions().revoke(randomUUID(), input.accountId, t0), false);
      // Not marked revoked: still live to a caller whose clock is earlier.
      assert.ok(await sessions().findLive(input.id, at(5)));
    });
  });

  describe('revokeAllForAccount', () => {
    it('revokes every live session but the excepted one and returns their ids', async () => {
      const [accountId, otherId] = [await newAccountId(getStore()), await newAccountId(getStore())];
      const [current, a, b, gone, expired] = Array.from({ length: 5 }, () => newSession(accountId));
      for (const s of [current!, a!, b!, gone!]) await sessions().upsert(s, t0);
      await sessions().upsert({ ...expired!, expiresAt: at(1) }, t0);
      const other = newSession(otherId);
      await sessions().upsert(other, t0);
      await sessions().revoke(gone!.id, accountId, at(1));
      const revoked = await sessions().revokeAllForAccount(accountId, at(2), current!.id);
      assert.deepEqual([...revoked].sort(), [a!.id, b!.id].sort());
      assert.deepEqual((await sessions().findLiveByAccount(accountId, at(3))).map((s) => s.id), [current!.id]);
      assert.ok(await sessions().findLive(other.id, at(3)));
      assert.deepEqual(await sessions().revokeAllForAccount(accountId, at(3), current!.id), []);
    });

    it('revokes them all without exceptId', async () => {
      const accountId = await newAccountId(getStore());
      const [a, b] = [newSession(accountId), newSession(accountId)];
      await sessions().upsert(a, t0);
      await sessions().upsert(b, t0);
      assert.deepEqual([...(await sessions().revokeAllForAccount(accountId, at(1)))].sort(), [a.id, b.id].sort());
      assert.deepEqual(await sessions().findLiveByAccount(accountId, at(1)), []);
    });
  });

  describe('deleteExpired', () => {
    it('deletes sessions expired or revoked at or before `before`, and keeps the rest', async () => {
      // Dates far in the past so sessions left by other tests in this store cannot be counted.
      const day = (d: number) => new Date(Date.UTC(1990, 0, d));
      const accountId = await newAccountId(getStore());
      const expiredEarly = newSession(accountId, { expiresAt: day(2) });
      const expiredAtCutoff = newSession(accountId, { expiresAt: day(10) });
      const expiresLater = newSession(accountId, { expiresAt: day(20) });
      const revokedEarly = newSession(accountId, { expiresAt: day(30) });
      const revokedLater = newSession(accountId, { expiresAt: day(30) });
      for (const s of [expiredEarly, expiredAtCutoff, expiresLater, revokedEarly, revokedLater]) await sessions().upsert(s, day(1));
      await sessions().revoke(revokedEarly.id, accountId, day(5));
      await sessions().revoke(revokedLater.id, accountId, day(15));

      assert.equal(await sessions().deleteExpired(day(10)), 3);
      assert.equal(await sessions().deleteExpired(day(10)), 0);
      // Deleted, not merely hidden: they would be live again to a clock at day 1.
      assert.equal(await sessions().findLive(expiredEarly.id, day(1)), undefined);
      assert.equal(await sessions().findLive(expiredAtCutoff.id, day(1)), undefined);
      assert.ok(await sessions().findLive(expiresLater.id, day(1)));
      assert.deepEqual((await sessions().findLiveByAccount(accountId, day(1))).map((s) => s.id), [expiresLater.id]);
      assert.equal(await sessions().deleteExpired(day(25)), 2);
    });
  });
});
