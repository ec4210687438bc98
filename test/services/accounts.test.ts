import { strict as assert } from 'node:assert';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/ports.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/services/password-hasher.ts';
import { createAccountService } from '../../src/services/accounts.ts';
import { EmailExistsError } from '../../src/errors.ts';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '../../src/services/rate-limits.ts';
import { createSignInSources } from '../../src/services/sign-in-source.ts';

/** What a caller is told: the result without the members kept for the audit event (accountId, locked). */
function visible(result: object): object {
  return Object.fromEntries(Object.entries(result).filter(([key]) => key !== 'accountId' && key !== 'locked'));
}

const IP = { ip: '192.0.2.1' };

const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** The real hasher, counting which path each check took. */
function counting(hasher: PasswordHasher) {
  const calls = { verify: 0, dummy: 0 };
  return {
    calls,
    hasher: {
      ...hasher,
      // Sign-in hashes in the place in line it holds (PasswordHasher.admit).
      admit: (work) => hasher.admit((h) => work({
        ...h,
        verify: (stored: string, p: string) => ((calls.verify += 1), h.verify(stored, p)),
        verifyDummy: (p: string) => ((calls.dummy += 1), h.verifyDummy(p)),
      })),
    } satisfies PasswordHasher,
  };
}

describe('account service', function () {
  let store: Store;
  let hasher: PasswordHasher;
  before(async () => {
    store = await openMemoryStore();
    hasher = await createPasswordHasher(OWASP);
  });
  after(() => store.close());
  const limits = () => createRateLimits((rule) => store.createRateLimiter(rule), DEFAULT_RATE_LIMITS);

  it('hashes with argon2id at the configured cost and never stores the password', async () => {
    const accounts = createAccountService({ accounts: store.accounts, hasher, requireEmailVerification: true, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    const account = await accounts.create({ email: 'hash@example.com', password: 'a long enough passphrase' });
    assert.match(account.passwordHash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.ok(!account.passwordHash.includes('passphrase'));
  });

  it('spends a real verification on unknown emails and answers like a wrong password', async () => {
    const { calls, hasher: spy } = counting(hasher);
    const accounts = createAccountService({ accounts: store.accounts, hasher: spy, requireEmailVerification: true, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    const known = await accounts.create({ email: 'known@example.com', password: 'a long enough passphrase', emailVerified: true });
    const wrong = await accounts.authenticate('known@example.com', 'wrong passphrase', IP);
    const unknown = await accounts.authenticate('unknown@example.com', 'wrong passphrase', IP);
    assert.deepEqual(visible(wrong), { ok: false, reason: 'INVALID_CREDENTIALS' });
    assert.deepEqual(visible(unknown), visible(wrong));
    // Only the audit event learns which account it was.
    assert.deepEqual([(wrong as { accountId?: string }).accountId, (unknown as { accountId?: string }).accountId], [known.id, undefined]);
    assert.deepEqual(calls, { verify: 1, dummy: 1 });
  });

  it('reports an unverified account only after its password checks out', async () => {
    const accounts = createAccountService({ accounts: store.accounts, hasher, requireEmailVerification: true, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    await accounts.create({ email: 'unverified@example.com', password: 'a long enough passphrase' });
    assert.deepEqual(visible(await accounts.authenticate('unverified@example.com', 'wrong', IP)), { ok: false, reason: 'INVALID_CREDENTIALS' });
    assert.deepEqual(visible(await accounts.authenticate('unverified@example.com', 'a long enough passphrase', IP)), { ok: false, reason: 'EMAIL_NOT_VERIFIED' });
    const lax = createAccountService({ accounts: store.accounts, hasher, requireEmailVerification: false, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    assert.equal((await lax.authenticate('unverified@example.com', 'a long enough passphrase', IP)).ok, true);
  });

  it('rehashes at sign-in when the cost has risen', async () => {
    const before = createAccountService({ accounts: store.accounts, hasher, requireEmailVerification: true, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    const created = await before.create({ email: 'rehash@example.com', password: 'a long enough passphrase', emailVerified: true });
    const stronger = await createPasswordHasher({ ...OWASP, timeCost: 3 });
    const after = createAccountService({ accounts: store.accounts, hasher: stronger, requireEmailVerification: true, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    const result = await after.authenticate('rehash@example.com', 'a long enough passphrase', IP);
    assert.equal(result.ok, true);
    const stored = await store.accounts.findById(created.id);
    assert.match(stored!.passwordHash, /\$m=19456,p=1,t=3\$/);
    assert.equal(await stronger.verify(stored!.passwordHash, 'a long enough passphrase'), true);
  });

  it('normalises emails (trim, NFKC, lower case) so one address is one account', async () => {
    const accounts = createAccountService({ accounts: store.accounts, hasher, requireEmailVerification: false, rateLimits: limits(), sources: createSignInSources(store.sessions, store.accounts) });
    const account = await accounts.create({ email: '  Ｍixed@Example.COM ', password: 'a long enough passphrase' });
    assert.equal(account.email, 'mixed@example.com');
    await assert.rejects(accounts.create({ email: 'MIXED@example.com', password: 'another passphrase' }), EmailExistsError);
    assert.equal((await accounts.authenticate('mixed@EXAMPLE.com', 'a long enough passphrase', IP)).ok, true);
  });
});
