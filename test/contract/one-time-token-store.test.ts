import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { NewOneTimeToken, Store } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const MINUTE = 60_000;
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

/** SHA-256 hex of a fresh random token, as the services store it. */
const newHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');

async function newAccountId(store: Store): Promise<string> {
  const account = await store.accounts.insert({
    id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: false, name: null, role: 'user', passwordHash: 'h',
  });
  return account.id;
}

function newToken(accountId: string, overrides: Partial<NewOneTimeToken> = {}): NewOneTimeToken {
  return { hash: newHash(), accountId, purpose: 'reset-password', expiresAt: at(30), ...overrides };
}

forEachBackend('OneTimeTokenStore', (getStore) => {
  const tokens = () => getStore().oneTimeTokens;

  it('finds a stored token’s accountId by hash and purpose only', async () => {
    const token = newToken(await newAccountId(getStore()));
    await tokens().insertReplacing(token);
    assert.equal(await tokens().findLive(token.hash, 'reset-password', t0), token.accountId);
    assert.equal(await tokens().findLive(token.hash, 'verify-email', t0), undefined);
    assert.equal(await tokens().findLive(newHash(), 'reset-password', t0), undefined);
  });

  it('consumes once: the accountId, then undefined, and findLive no longer sees it', async () => {
    const token = newToken(await newAccountId(getStore()));
    await tokens().insertReplacing(token);
    assert.equal(await tokens().consume(token.hash, 'reset-password', at(1)), token.accountId);
    assert.equal(await tokens().consume(token.hash, 'reset-password', at(2)), undefined);
    assert.equal(await tokens().findLive(token.hash, 'reset-password', at(2)), undefined);
  });

  it('refuses a purpose mismatch without using the token up', async () => {
    const token = newToken(await newAccountId(getStore()), { purpose: 'verify-email' });
    await tokens().insertReplacing(token);
    assert.equal(await tokens().consume(token.hash, 'reset-password', t0), undefined);
    assert.equal(await tokens().consume(token.hash, 'verify-email', t0), token.accountId);
  });

  it('refuses an unknown hash', async () => {
    assert.equal(await tokens().consume(newHash(), 'reset-password', t0), undefined);
  });

  it('expires at expiresAt: neither found nor consumed from then on', async () => {
    const token = newToken(await newAccountId(getStore()), { expiresAt: at(30) });
    await tokens().insertReplacing(token);
    assert.equal(await tokens().findLive(token.hash, 'reset-password', at(29)), token.accountId);
    assert.equal(await tokens().findLive(token.hash, 'reset-password', at(30)), undefined);
    assert.equal(await tokens().consume(token.hash, 'reset-password', at(30)), undefined);
    assert.equal(await tokens().consume(token.hash, 'reset-password', at(31)), undefined);
    // The refused attempts did not use it up.
    assert.equal(await tokens().consume(token.hash, 'reset-password', at(29)), token.accountId);
  });

  it('lets exactly one of 20 concurrent consumers win', async () => {
    const token = newToken(await newAccountId(getStore()));
    await tokens().insertReplacing(token);
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens().consume(token.hash, 'reset-password', t0)));
    assert.deepEqual(results.filter((r) => r !== undefined), [token.accountId]);
  });

  it('insertReplacing voids the account’s older tokens of that purpose only', async () => {
    const [accountId, otherId] = [await newAccountId(getStore()), await newAccountId(getStore())];
    const older = newToken(accountId);
    const otherPurpose = newToken(accountId, { purpose: 'verify-email' });
    const otherAccount = newToken(otherId);
    for (const t of [older, otherPurpose, otherAccount]) await tokens().insertReplacing(t);
    const newer = newToken(accountId);
    await tokens().insertReplacing(newer);
    assert.equal(await tokens().findLive(older.hash, 'reset-password', t0), undefined);
    assert.equal(await tokens().consume(older.hash, 'reset-password', t0), undefined);
    assert.equal(await tokens().findLive(newer.hash, 'reset-password', t0), accountId);
    assert.equal(await tokens().findLive(otherPurpose.hash, 'verify-email', t0), accountId);
    assert.equal(await tokens().findLive(otherAccount.hash, 'reset-password', t0), otherId);
  });

  it('leaves exactly one live token after 10 concurrent insertReplacing for one account and purpose', async () => {
    const accountId = await newAccountId(getStore());
    const batch = Array.from({ length: 10 }, () => newToken(accountId));
    await Promise.all(batch.map((t) => tokens().insertReplacing(t)));
    const live = [];
    for (const t of batch) if (await tokens().findLive(t.hash, 'reset-password', t0)) live.push(t.hash);
    assert.equal(live.length, 1);
  });

  it('deleteForAccount deletes the unconsumed tokens of one purpose and returns how many', async () => {
    const accountId = await newAccountId(getStore());
    const reset = newToken(accountId);
    const verify = newToken(accountId, { purpose: 'verify-email' });
    await tokens().insertReplacing(reset);
    await tokens().insertReplacing(verify);
    assert.equal(await tokens().deleteForAccount(accountId, 'reset-password'), 1);
    assert.equal(await tokens().findLive(reset.hash, 'reset-password', t0), undefined);
    assert.equal(await tokens().findLive(verify.hash, 'verify-email', t0), accountId);
    assert.equal(await tokens().deleteForAccount(accountId, 'reset-password'), 0);
    assert.equal(await tokens().consume(verify.hash, 'verify-email', t0), accountId);
    assert.equal(await tokens().deleteForAccount(accountId, 'verify-email'), 0, 'a consumed token is not counted');
  });

  it('deleteExpired deletes tokens expired at or before `now` and keeps the rest', async () => {
    // Dates far in the past so tokens left by other tests in this store cannot be counted.
    const day = (d: number) => new Date(Date.UTC(1990, 0, d));
    const [a, b, c] = [await newAccountId(getStore()), await newAccountId(getStore()), await newAccountId(getStore())];
    const early = newToken(a, { expiresAt: day(2) });
    const atCutoff = newToken(b, { expiresAt: day(10) });
    const later = newToken(c, { expiresAt: day(20) });
    for (const t of [early, atCutoff, later]) await tokens().insertReplacing(t);
    assert.equal(await tokens().deleteExpired(day(10)), 2);
    assert.equal(await tokens().deleteExpired(day(10)), 0);
    // Deleted, not merely hidden: they would be live to a clock at day 1.
    assert.equal(await tokens().findLive(early.hash, 'reset-password', day(1)), undefined);
    assert.equal(await tokens().findLive(atCutoff.hash, 'reset-password', day(1)), undefined);
    assert.equal(await tokens().findLive(later.hash, 'reset-password', day(1)), c);
    assert.equal(await tokens().deleteExpired(day(20)), 1);
  });
});
