import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EmailExistsError, LastAdminError, RoleNotFoundError } from '../../src/errors.ts';
import type { NewAccount } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

function newAccount(overrides: Partial<NewAccount> = {}): NewAccount {
  return {
    id: randomUUID(),
    email: `${randomUUID()}@example.test`,
    emailVerified: false,
    name: 'Ada',
    role: 'user',
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    ...overrides,
  };
}

forEachBackend('AccountStore', (getStore) => {
  const accounts = () => getStore().accounts;

  it('inserts and returns the account with Date timestamps', async () => {
    const input = newAccount({ role: 'admin', emailVerified: true, name: null });
    const created = await accounts().insert(input);
    assert.deepEqual(
      { ...created, createdAt: undefined, updatedAt: undefined },
      { ...input, picture: null, disabled: false, lastSignInAt: null, lockedUntil: null, lockGeneration: 0, createdAt: undefined, updatedAt: undefined },
    );
    assert.ok(created.createdAt instanceof Date);
    assert.ok(created.updatedAt instanceof Date);
    assert.ok(Math.abs(created.createdAt.getTime() - Date.now()) < 60_000);
  });

  it('finds by id and by email, undefined when unknown', async () => {
    const created = await accounts().insert(newAccount());
    assert.deepEqual(await accounts().findById(created.id), created);
    assert.deepEqual(await accounts().findByEmail(created.email), created);
    assert.equal(await accounts().findById(randomUUID()), undefined);
    assert.equal(await accounts().findByEmail('nobody@example.test'), undefined);
  });

  it('applies a patch, leaves other fields, and bumps updatedAt', async () => {
    const created = await accounts().insert(newAccount());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await accounts().update(created.id, { name: null, emailVerified: true, role: 'admin', passwordHash: 'new' });
    assert.ok(updated);
    assert.equal(updated.name, null);
    assert.equal(updated.emailVerified, true);
    assert.equal(updated.role, 'admin');
    assert.equal(updated.passwordHash, 'new');
    assert.equal(updated.email, created.email);
    assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
    assert.ok(updated.updatedAt.getTime() > created.updatedAt.getTime());
    const partial = await accounts().update(created.id, { name: 'Grace' });
    assert.equal(partial?.name, 'Grace');
    assert.equal(partial?.role, 'admin');
    assert.deepEqual(await accounts().findById(created.id), partial);
  });

  it('sets and clears the picture, leaving the name', async () => {
    const created = await accounts().insert(newAccount());
    const url = 'https://images.example.test/ada.png';
    const set = await accounts().update(created.id, { picture: url });
    assert.equal(set?.picture, url);
    assert.equal(set?.name, 'Ada');
    assert.equal((await accounts().findByEmail(created.email))?.picture, url);
    assert.equal((await accounts().update(created.id, { picture: null }))?.picture, null);
    assert.equal((await accounts().findById(created.id))?.picture, null);
  });

  it('update of an unknown id returns undefined', async () => {
    assert.equal(await accounts().update(randomUUID(), { name: 'x' }), undefined);
  });

  it('deletes, reporting whether something was deleted', async () => {
    const created = await accounts().insert(newAccount());
    assert.equal(await accounts().delete(created.id), true);
    assert.equal(await accounts().findById(created.id), undefined);
    assert.equal(await accounts().delete(created.id), false);
  });

  it('deletes the account’s sessions and one-time tokens with it, and no other account’s', async () => {
    const store = getStore();
    const [doomed, kept] = [await accounts().insert(newAccount()), await accounts().insert(newAccount())];
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 3600_000);
    const session = (accountId: string) => ({
      id: randomUUID(), accountId, kind: 'api' as const, clientId: 'app', deviceName: null, deviceType: null,
      userAgent: null, ipAddress: null, expiresAt,
    });
    const [doomedSession, keptSession] = [session(doomed.id), session(kept.id)];
    await store.sessions.upsert(doomedSession, now);
    await store.sessions.upsert(keptSession, now);
    const [reset, verify, keptToken] = [randomUUID(), randomUUID(), randomUUID()];
    await store.oneTimeTokens.insertReplacing({ hash: reset, accountId: doomed.id, purpose: 'reset-password', expiresAt });
    await store.oneTimeTokens.insertReplacing({ hash: verify, accountId: doomed.id, purpose: 'verify-email', expiresAt });
    await store.oneTimeTokens.insertReplacing({ hash: keptToken, accountId: kept.id, purpose: 'reset-password', expiresAt });

    assert.equal(await accounts().delete(doomed.id), true);
    assert.equal(await store.sessions.findLive(doomedSession.id, now), undefined);
    assert.deepEqual(await store.sessions.findLiveByAccount(doomed.id, now), []);
    assert.equal(await store.oneTimeTokens.consume(reset, 'reset-password', now), undefined);
    assert.equal(await store.oneTimeTokens.consume(verify, 'verify-email', now), undefined);
    assert.equal((await store.sessions.findLive(keptSession.id, now))?.accountId, kept.id);
    assert.equal(await store.oneTimeTokens.findLive(keptToken, 'reset-password', now), kept.id);
  });

  it('rejects a taken email with EmailExistsError and keeps the first account', async () => {
    const first = await accounts().insert(newAccount());
    await assert.rejects(accounts().insert(newAccount({ email: first.email })), EmailExistsError);
    assert.equal((await accounts().findByEmail(first.email))?.id, first.id);
  });

  it('does not report a duplicate id as EmailExistsError', async () => {
    const first = await accounts().insert(newAccount());
    await assert.rejects(accounts().insert(newAccount({ id: first.id })), (err) => !(err instanceof EmailExistsError));
  });

  it('refuses a role that is not stored with RoleNotFoundError, on insert and update', async () => {
    await assert.rejects(accounts().insert(newAccount({ role: 'root' })), RoleNotFoundError);
    const created = await accounts().insert(newAccount());
    await assert.rejects(accounts().update(created.id, { role: 'root' }), RoleNotFoundError);
    assert.equal((await accounts().findById(created.id))?.role, 'user');
  });

  it('takes any stored role, and disabled', async () => {
    await getStore().roles.insert({ name: 'auditor', description: '', permissions: ['admin:audit:read'] });
    const created = await accounts().insert(newAccount({ role: 'auditor' }));
    assert.equal(created.role, 'auditor');
    const disabled = await accounts().update(created.id, { disabled: true });
    assert.equal(disabled?.disabled, true);
  });

  it('records the last sign-in without bumping updatedAt', async () => {
    const created = await accounts().insert(newAccount());
    const at = new Date(Date.now() + 1000);
    await accounts().recordSignIn(created.id, at);
    const found = await accounts().findById(created.id);
    assert.equal(found?.lastSignInAt?.getTime(), at.getTime());
    assert.equal(found?.updatedAt.getTime(), created.updatedAt.getTime());
  });

  it('marks a lock for the current generation only, and unlock clears it and raises the generation', async () => {
    const created = await accounts().insert(newAccount());
    const until = new Date(Date.now() + 60_000);
    await accounts().markLocked(created.id, 0, until);
    assert.equal((await accounts().findById(created.id))?.lockedUntil?.getTime(), until.getTime());
    await accounts().markLocked(created.id, 0, new Date(Date.now() + 1000));
    assert.equal((await accounts().findById(created.id))?.lockedUntil?.getTime(), until.getTime(), 'never moved earlier');
    const unlocked = await accounts().unlock(created.id);
    assert.equal(unlocked?.lockedUntil, null);
    assert.equal(unlocked?.lockGeneration, 1);
    await accounts().markLocked(created.id, 0, until);
    assert.equal((await accounts().findById(created.id))?.lockedUntil, null, 'a lock of the old generation is ignored');
    assert.equal(await accounts().unlock(randomUUID()), undefined);
  });

  it('lists newest first with paging, filtered by q (email or name, case-insensitive), role and status', async () => {
    const tag = randomUUID().slice(0, 8);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await accounts().insert(newAccount({ email: `${tag}-${i}@example.test`, name: i === 4 ? `Big_${tag.toUpperCase()}%` : 'x' })));
      // Distinct creation times, so "newest first" has one answer on every backend.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const now = new Date();
    const all = await accounts().list({ q: tag, now, limit: 10 });
    assert.deepEqual(all.map((a) => a.id), made.map((a) => a.id).reverse());
    const first = await accounts().list({ q: tag, now, limit: 2 });
    const second = await accounts().list({ q: tag, now, limit: 2, after: { createdAt: first[1]!.createdAt, id: first[1]!.id } });
    assert.deepEqual([...first, ...second].map((a) => a.id), all.slice(0, 4).map((a) => a.id));
    assert.deepEqual((await accounts().list({ q: `big_${tag}%`, now, limit: 10 })).map((a) => a.id), [made[4]!.id]);
    assert.deepEqual(await accounts().list({ q: `${tag}_`, now, limit: 10 }), [], '_ is matched literally, not as any character');
    await accounts().update(made[0]!.id, { disabled: true });
    await accounts().markLocked(made[1]!.id, 0, new Date(Date.now() + 60_000));
    await accounts().update(made[2]!.id, { role: 'admin' });
    const ids = async (query: object) => (await accounts().list({ q: tag, now: new Date(), limit: 10, ...query })).map((a) => a.id).sort();
    assert.deepEqual(await ids({ status: 'disabled' }), [made[0]!.id]);
    assert.deepEqual(await ids({ status: 'locked' }), [made[1]!.id]);
    assert.deepEqual(await ids({ status: 'active' }), [made[2]!.id, made[3]!.id, made[4]!.id].sort());
    assert.deepEqual(await ids({ role: 'admin' }), [made[2]!.id]);
  });

  describe('keepAnAdmin', () => {
    // Each test starts from admins of its own; other tests' admins are disabled first.
    async function onlyAdmins(count: number) {
      for (const other of await accounts().list({ role: 'admin', status: 'active', now: new Date(), limit: 200 })) {
        await accounts().update(other.id, { disabled: true });
      }
      return Promise.all(Array.from({ length: count }, () => accounts().insert(newAccount({ role: 'admin' }))));
    }

    it('refuses to demote, disable or delete the last enabled admin, and allows it while another remains', async () => {
      const [a, b] = await onlyAdmins(2);
      assert.equal((await accounts().update(a!.id, { role: 'user' }, { keepAnAdmin: true }))?.role, 'user');
      await assert.rejects(accounts().update(b!.id, { role: 'user' }, { keepAnAdmin: true }), LastAdminError);
      await assert.rejects(accounts().update(b!.id, { disabled: true }, { keepAnAdmin: true }), LastAdminError);
      await assert.rejects(accounts().delete(b!.id, { keepAnAdmin: true }), LastAdminError);
      const kept = await accounts().findById(b!.id);
      assert.equal(kept?.role, 'admin');
      assert.equal(kept?.disabled, false);
      // Changes that keep it an enabled admin pass.
      assert.equal((await accounts().update(b!.id, { name: 'still' }, { keepAnAdmin: true }))?.name, 'still');
      // A non-admin is never guarded.
      assert.equal(await accounts().delete(a!.id, { keepAnAdmin: true }), true);
    });

    it('lets at most one of two admins demoting each other at once succeed, over many rounds', async () => {
      for (let round = 0; round < 5; round++) {
        const [a, b] = await onlyAdmins(2);
        const results = await Promise.allSettled([
          accounts().update(a!.id, { role: 'user' }, { keepAnAdmin: true }),
          accounts().update(b!.id, { disabled: true }, { keepAnAdmin: true }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled').length;
        assert.ok(won <= 1, `round ${round}: both succeeded`);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LastAdminError, String(r.reason));
        const left = await accounts().list({ role: 'admin', status: 'active', now: new Date(), limit: 200 });
        assert.ok(left.length >= 1, `round ${round}: no admin left`);
      }
    });
  });

  it('lets exactly one of 10 concurrent inserts of one email succeed', async () => {
    const email = `${randomUUID()}@example.test`;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => accounts().insert(newAccount({ email }))));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 9);
    for (const r of lost) assert.ok(r.reason instanceof EmailExistsError, String(r.reason));
    assert.equal((await accounts().findByEmail(email))?.id, won[0]?.value.id);
  });
});
