import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FactorExistsError } from '../../src/errors.ts';
import { createCipher } from '../../src/services/encryption.ts';
import { encryptFactorStore } from '../../src/services/factor-encryption.ts';
import type { NewFactor, Store } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const MINUTE = 60_000;
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
const newHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');

async function newAccountId(store: Store): Promise<string> {
  const account = await store.accounts.insert({
    id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: true, name: null, role: 'user', passwordHash: 'h',
  });
  return account.id;
}

const totp = (accountId: string, overrides: Partial<NewFactor> = {}): NewFactor => ({
  id: randomUUID(), accountId, type: 'totp', name: 'Phone', secret: 'JBSWY3DPEHPK3PXP', confirmedAt: null, createdAt: t0, ...overrides,
});

const webauthn = (accountId: string, overrides: Partial<NewFactor> = {}): NewFactor => ({
  id: randomUUID(), accountId, type: 'webauthn', name: 'Key', credentialId: randomBytes(16).toString('base64url'),
  publicKey: randomBytes(64).toString('base64url'), counter: 0, transports: ['usb', 'nfc'], confirmedAt: t0, createdAt: t0, ...overrides,
});

forEachBackend('FactorStore', (getStore) => {
  const factors = () => getStore().factors;

  describe('factors', () => {
    it('stores a TOTP factor pending and lists the account’s factors oldest first', async () => {
      const accountId = await newAccountId(getStore());
      const first = await factors().insert(totp(accountId, { createdAt: at(1) }));
      const second = await factors().insert(webauthn(accountId, { createdAt: at(2) }));
      await factors().insert(totp(await newAccountId(getStore())));
      assert.deepEqual(first, {
        id: first.id, accountId, type: 'totp', name: 'Phone', secret: 'JBSWY3DPEHPK3PXP', credentialId: null, publicKey: null,
        counter: 0, transports: [], confirmedAt: null, lastUsedAt: null, lastUsedStep: null, createdAt: at(1),
      });
      assert.deepEqual((await factors().listByAccount(accountId)).map((f) => f.id), [first.id, second.id]);
      assert.deepEqual(await factors().find(second.id), second);
      assert.deepEqual(second.transports, ['usb', 'nfc']);
      assert.equal(await factors().find(randomUUID()), undefined);
    });

    it('finds a WebAuthn factor by credential id and refuses a second registration of it, also concurrently', async () => {
      const accountId = await newAccountId(getStore());
      const key = await factors().insert(webauthn(accountId));
      assert.deepEqual(await factors().findByCredentialId(key.credentialId!), key);
      assert.equal(await factors().findByCredentialId('unknown'), undefined);
      await assert.rejects(factors().insert(webauthn(await newAccountId(getStore()), { credentialId: key.credentialId })), FactorExistsError);
      const credentialId = randomBytes(16).toString('base64url');
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => factors().insert(webauthn(accountId, { credentialId }))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof FactorExistsError);
    });

    it('confirms a pending TOTP factor only with confirm, and uses a confirmed one only without it', async () => {
      const accountId = await newAccountId(getStore());
      const factor = await factors().insert(totp(accountId));
      assert.equal(await factors().useTotpStep(factor.id, 100, at(1)), undefined);
      const confirmed = await factors().useTotpStep(factor.id, 100, at(1), { confirm: true });
      assert.deepEqual([confirmed?.confirmedAt, confirmed?.lastUsedStep, confirmed?.lastUsedAt], [at(1), 100, at(1)]);
      assert.equal(await factors().useTotpStep(factor.id, 101, at(2), { confirm: true }), undefined);
      assert.equal((await factors().useTotpStep(factor.id, 101, at(2)))?.lastUsedStep, 101);
    });

    it('accepts each TOTP step once and never an earlier one', async () => {
      const accountId = await newAccountId(getStore());
      const factor = await factors().insert(totp(accountId, { confirmedAt: t0 }));
      assert.ok(await factors().useTotpStep(factor.id, 500, at(1)));
      assert.equal(await factors().useTotpStep(factor.id, 500, at(1)), undefined);
      assert.equal(await factors().useTotpStep(factor.id, 499, at(1)), undefined);
      assert.ok(await factors().useTotpStep(factor.id, 501, at(1)));
      assert.equal(await factors().useTotpStep(factor.id, 501, at(1)), undefined);
    });

    it('lets exactly one of 20 concurrent uses of one TOTP step win', async () => {
      const factor = await factors().insert(totp(await newAccountId(getStore()), { confirmedAt: t0 }));
      const results = await Promise.all(Array.from({ length: 20 }, () => factors().useTotpStep(factor.id, 1000, at(1))));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal((await factors().find(factor.id))?.lastUsedStep, 1000);
    });

    it('refuses a TOTP step on a WebAuthn factor and a counter on a TOTP one', async () => {
      const accountId = await newAccountId(getStore());
      const key = await factors().insert(webauthn(accountId));
      const code = await factors().insert(totp(accountId, { confirmedAt: t0 }));
      assert.equal(await factors().useTotpStep(key.id, 1, at(1)), undefined);
      assert.equal(await factors().useWebauthnCounter(code.id, 1, at(1)), undefined);
    });

    it('moves a WebAuthn counter only forward (0 stays acceptable for counterless authenticators)', async () => {
      const accountId = await newAccountId(getStore());
      const counterless = await factors().insert(webauthn(accountId));
      assert.equal((await factors().useWebauthnCounter(counterless.id, 0, at(1)))?.lastUsedAt?.getTime(), at(1).getTime());
      assert.ok(await factors().useWebauthnCounter(counterless.id, 0, at(2)));
      const counting = await factors().insert(webauthn(accountId, { counter: 5 }));
      assert.equal(await factors().useWebauthnCounter(counting.id, 5, at(1)), undefined);
      assert.equal(await factors().useWebauthnCounter(counting.id, 0, at(1)), undefined);
      assert.equal((await factors().useWebauthnCounter(counting.id, 6, at(1)))?.counter, 6);
      const results = await Promise.all(Array.from({ length: 10 }, () => factors().useWebauthnCounter(counting.id, 7, at(2))));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });

    it('renames and deletes only the account’s own factor', async () => {
      const accountId = await newAccountId(getStore());
      const otherId = await newAccountId(getStore());
      const factor = await factors().insert(totp(accountId));
      assert.equal(await factors().rename(factor.id, otherId, 'Stolen'), undefined);
      assert.equal((await factors().rename(factor.id, accountId, 'Work phone'))?.name, 'Work phone');
      assert.equal(await factors().delete(factor.id, otherId), false);
      assert.equal(await factors().delete(factor.id, accountId), true);
      assert.equal(await factors().delete(factor.id, accountId), false);
      assert.equal(await factors().find(factor.id), undefined);
    });

    it('deletes TOTP factors left pending before the cutoff only', async () => {
      const accountId = await newAccountId(getStore());
      const stale = await factors().insert(totp(accountId, { createdAt: new Date('2000-01-01T00:00:00Z') }));
      const staleConfirmed = await factors().insert(totp(accountId, { createdAt: new Date('2000-01-01T00:00:00Z'), confirmedAt: t0 }));
      const fresh = await factors().insert(totp(accountId, { createdAt: at(10) }));
      assert.ok((await factors().deletePendingBefore(at(5))) >= 1);
      assert.equal(await factors().find(stale.id), undefined);
      assert.ok(await factors().find(staleConfirmed.id));
      assert.ok(await factors().find(fresh.id));
    });

    it('deleteAllForAccount removes the account’s factors, recovery codes and pending sign-ins, nobody else’s', async () => {
      const accountId = await newAccountId(getStore());
      const otherId = await newAccountId(getStore());
      await factors().insert(totp(accountId));
      await factors().insert(webauthn(accountId));
      const kept = await factors().insert(totp(otherId));
      const code = newHash();
      await factors().replaceRecoveryCodes(accountId, [code], t0);
      await factors().replaceRecoveryCodes(otherId, [code], t0);
      const pending = newHash();
      await factors().insertPendingSignIn({ hash: pending, accountId, context: {}, expiresAt: at(5) });
      assert.equal(await factors().deleteAllForAccount(accountId), 2);
      assert.deepEqual(await factors().listByAccount(accountId), []);
      assert.equal(await factors().countRecoveryCodes(accountId), 0);
      assert.equal(await factors().findPendingSignIn(pending, t0), undefined);
      assert.ok(await factors().find(kept.id));
      assert.equal(await factors().countRecoveryCodes(otherId), 1);
    });

    it('goes with its account', async () => {
      const accountId = await newAccountId(getStore());
      const factor = await factors().insert(totp(accountId));
      await factors().replaceRecoveryCodes(accountId, [newHash()], t0);
      assert.equal(await getStore().accounts.delete(accountId), true);
      assert.equal(await factors().find(factor.id), undefined);
      assert.equal(await factors().countRecoveryCodes(accountId), 0);
    });
  });

  describe('recovery codes', () => {
    it('consumes each code once, for its own account only', async () => {
      const accountId = await newAccountId(getStore());
      const otherId = await newAccountId(getStore());
      const codes = Array.from({ length: 10 }, newHash);
      await factors().replaceRecoveryCodes(accountId, codes, t0);
      assert.equal(await factors().countRecoveryCodes(accountId), 10);
      assert.equal(await factors().consumeRecoveryCode(otherId, codes[0]!, at(1)), false);
      assert.equal(await factors().consumeRecoveryCode(accountId, newHash(), at(1)), false);
      assert.equal(await factors().consumeRecoveryCode(accountId, codes[0]!, at(1)), true);
      assert.equal(await factors().consumeRecoveryCode(accountId, codes[0]!, at(2)), false);
      assert.equal(await factors().countRecoveryCodes(accountId), 9);
    });

    it('replacing voids every older code at once', async () => {
      const accountId = await newAccountId(getStore());
      const older = [newHash(), newHash()];
      await factors().replaceRecoveryCodes(accountId, older, t0);
      const newer = [newHash(), newHash(), newHash()];
      await factors().replaceRecoveryCodes(accountId, newer, at(1));
      assert.equal(await factors().countRecoveryCodes(accountId), 3);
      assert.equal(await factors().consumeRecoveryCode(accountId, older[0]!, at(2)), false);
      assert.equal(await factors().consumeRecoveryCode(accountId, newer[0]!, at(2)), true);
    });

    it('lets exactly one of 20 concurrent uses of one code win, and concurrent uses of different codes all win', async () => {
      const accountId = await newAccountId(getStore());
      const codes = Array.from({ length: 10 }, newHash);
      await factors().replaceRecoveryCodes(accountId, codes, t0);
      const same = await Promise.all(Array.from({ length: 20 }, () => factors().consumeRecoveryCode(accountId, codes[0]!, at(1))));
      assert.equal(same.filter(Boolean).length, 1);
      const different = await Promise.all(codes.slice(1).map((code) => factors().consumeRecoveryCode(accountId, code, at(1))));
      assert.deepEqual(different, Array(9).fill(true));
      assert.equal(await factors().countRecoveryCodes(accountId), 0);
    });

    it('concurrent replacements leave exactly one set', async () => {
      const accountId = await newAccountId(getStore());
      const sets = Array.from({ length: 5 }, () => Array.from({ length: 10 }, newHash));
      await Promise.all(sets.map((set) => factors().replaceRecoveryCodes(accountId, set, t0)));
      assert.equal(await factors().countRecoveryCodes(accountId), 10);
      const winners = [];
      for (const set of sets) if (await factors().consumeRecoveryCode(accountId, set[0]!, at(1))) winners.push(set);
      assert.equal(winners.length, 1);
    });
  });

  describe('pending sign-ins', () => {
    it('finds a live one, then consumes it once', async () => {
      const accountId = await newAccountId(getStore());
      const hash = newHash();
      const context = { remember_me: true, amr: ['pwd'], nested: { client: 'app' } };
      await factors().insertPendingSignIn({ hash, accountId, context, expiresAt: at(5) });
      assert.deepEqual(await factors().findPendingSignIn(hash, at(1)), { accountId, context, expiresAt: at(5) });
      assert.equal(await factors().findPendingSignIn(newHash(), at(1)), undefined);
      assert.deepEqual((await factors().consumePendingSignIn(hash, at(2)))?.context, context);
      assert.equal(await factors().consumePendingSignIn(hash, at(2)), undefined);
      assert.equal(await factors().findPendingSignIn(hash, at(2)), undefined);
    });

    it('expires at expiresAt and replaces the context of a live one only', async () => {
      const accountId = await newAccountId(getStore());
      const hash = newHash();
      await factors().insertPendingSignIn({ hash, accountId, context: { a: 1 }, expiresAt: at(5) });
      assert.equal(await factors().setPendingSignInContext(hash, { a: 1, challenge: 'xyz' }, at(1)), true);
      assert.deepEqual((await factors().findPendingSignIn(hash, at(1)))?.context, { a: 1, challenge: 'xyz' });
      assert.equal(await factors().setPendingSignInContext(hash, {}, at(5)), false);
      assert.equal(await factors().findPendingSignIn(hash, at(5)), undefined);
      assert.equal(await factors().consumePendingSignIn(hash, at(5)), undefined);
      assert.equal(await factors().deleteExpiredPendingSignIns(at(6)) >= 1, true);
      assert.equal(await factors().consumePendingSignIn(hash, at(1)), undefined);
    });

    it('lets exactly one of 20 concurrent consumers win', async () => {
      const hash = newHash();
      await factors().insertPendingSignIn({ hash, accountId: await newAccountId(getStore()), context: {}, expiresAt: at(5) });
      const results = await Promise.all(Array.from({ length: 20 }, () => factors().consumePendingSignIn(hash, at(1))));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });
  });

  describe('TOTP secrets at rest', () => {
    it('are sealed in the database, bound to the factor, and read back in clear through the encrypting store', async () => {
      const cipher = createCipher('a test encryption key of at least 32 characters');
      const encrypted = encryptFactorStore(factors(), cipher);
      const accountId = await newAccountId(getStore());
      const factor = await encrypted.insert(totp(accountId, { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' }));
      assert.equal(factor.secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
      const raw = await factors().find(factor.id);
      assert.match(raw!.secret!, /^v1\./);
      assert.ok(!raw!.secret!.includes('GEZDGNBV'));
      assert.equal((await encrypted.find(factor.id))?.secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
      assert.equal((await encrypted.listByAccount(accountId))[0]?.secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
      assert.equal((await encrypted.useTotpStep(factor.id, 1, t0, { confirm: true }))?.secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
      // Copied onto another factor, the sealed secret does not open.
      const copy = await factors().insert(totp(accountId, { secret: raw!.secret }));
      await assert.rejects(encrypted.find(copy.id), /ENCRYPTION_KEY/);
      await assert.rejects(encryptFactorStore(factors(), undefined).find(factor.id), /ENCRYPTION_KEY/);
    });
  });
});
