import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EmailExistsError } from '../../src/errors.ts';
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
    assert.deepEqual({ ...created, createdAt: undefined, updatedAt: undefined }, { ...input, createdAt: undefined, updatedAt: undefined });
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

  it('refuses a role outside user/admin', async () => {
    await assert.rejects(accounts().insert(newAccount({ role: 'root' as 'user' })));
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
