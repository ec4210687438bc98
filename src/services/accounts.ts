// Account use cases with no HTTP in them: sign-up for the admin bootstrap and
// later the API, and the one password check shared by the token endpoint, the
// login page and the JSON API.
import type { Account, AccountStore, Role } from '../storage/ports.ts';
import type { Hashing, PasswordHasher } from './password-hasher.ts';
import { normalizeEmail } from './email.ts';
import { isStorableText } from './storable-text.ts';
import type { RateLimits } from './rate-limits.ts';
import { RateLimitedError, ServerBusyError } from '../errors.ts';
import type { SignInSource, SignInSources } from './sign-in-source.ts';

export type { SignInSource } from './sign-in-source.ts';

/**
 * A refusal names the account when the address is one (for the audit event;
 * never shown to the caller) and says whether it engaged a sign-in lock.
 */
interface Refusal {
  ok: false;
  accountId?: string;
  locked?: boolean;
}

export type AuthenticationResult =
  | { ok: true; account: Account }
  | (Refusal & { reason: 'INVALID_CREDENTIALS' | 'EMAIL_NOT_VERIFIED' | 'ACCOUNT_DISABLED' })
  | (Refusal & { reason: 'RATE_LIMITED' | 'UNAVAILABLE'; retryAfterSeconds: number });

export interface AccountService {
  /**
   * Check an email and password. Unknown email and wrong password return the
   * same reason after the same work (a dummy argon2 verification). Rehashes
   * the password when the hashing parameters have risen. The attempt is
   * counted before the password is checked (RATE_LIMITED once its source or
   * the account is locked); UNAVAILABLE when the hashing line is full.
   */
  authenticate(email: string, password: string, source: SignInSource): Promise<AuthenticationResult>;
  /**
   * ServerBusyError when a sign-in would be refused for a full hashing line
   * right now: the JSON login sheds before the token endpoint's work.
   */
  assertSignInCapacity(): void;
  /**
   * Check the password of a signed-in account (change password, delete
   * account), counted as a sign-in attempt: RateLimitedError past the limit,
   * ServerBusyError when the hashing line is full.
   */
  verifyPassword(account: Account, password: string, source: SignInSource): Promise<boolean>;
  /** RoleNotFoundError for a role that is not stored; EmailExistsError. */
  create(input: { email: string; password: string; name?: string | null; role?: Role; emailVerified?: boolean }): Promise<Account>;
  findById(id: string): Promise<Account | undefined>;
  findByEmail(email: string): Promise<Account | undefined>;
  /** Hash and store a new password (the caller has checked the policy). */
  setPassword(id: string, password: string): Promise<Account | undefined>;
  update(id: string, patch: { name?: string | null; picture?: string | null; emailVerified?: boolean }): Promise<Account | undefined>;
  /** Delete the account row with its sessions and one-time tokens. */
  delete(id: string): Promise<boolean>;
  /** Lift every sign-in lock of the account (AccountStore.unlock); the account-wide one is RateLimits.liftLoginLocks'. */
  liftLocks(id: string): Promise<void>;
}

export function createAccountService(deps: {
  accounts: AccountStore;
  hasher: PasswordHasher;
  requireEmailVerification: boolean;
  rateLimits: RateLimits;
  sources: SignInSources;
}): AccountService {
  const { accounts, hasher, rateLimits, sources } = deps;

  async function signIn(
    email: string, password: string, source: SignInSource, hashing: Hashing, seen: { account?: Account },
  ): Promise<AuthenticationResult> {
    // The token endpoint's form is parsed by oidc-provider, not by our guards.
    const account = isStorableText(email) ? await accounts.findByEmail(normalizeEmail(email)) : undefined;
    seen.account = account;
    // Keyed by the address typed, known or not, so a lock says nothing about existence.
    const reservation = await rateLimits.reserveLogin(email, await sources.limitSourceOf(account, source));
    const valid = account ? await hashing.verify(account.passwordHash, password) : await hashing.verifyDummy(password);
    if (!account || !valid) {
      await reservation.failed();
      return { ok: false, reason: 'INVALID_CREDENTIALS', accountId: account?.id, locked: reservation.locksOnFailure };
    }
    await reservation.succeeded();
    // Both checked only after the password, so these answers never reveal
    // that an address is registered to someone who does not know its password.
    if (account.disabled) return { ok: false, reason: 'ACCOUNT_DISABLED', accountId: account.id };
    if (deps.requireEmailVerification && !account.emailVerified) return { ok: false, reason: 'EMAIL_NOT_VERIFIED', accountId: account.id };
    const now = new Date();
    await accounts.recordSignIn(account.id, now);
    if (hasher.needsRehash(account.passwordHash)) {
      const updated = await accounts.update(account.id, { passwordHash: await hashing.hash(password) });
      return { ok: true, account: { ...(updated ?? account), lastSignInAt: now } };
    }
    return { ok: true, account: { ...account, lastSignInAt: now } };
  }

  return {
    async authenticate(email, password, source) {
      const seen: { account?: Account } = {};
      try {
        return await hasher.admit((hashing) => signIn(email, password, source, hashing, seen));
      } catch (err) {
        const accountId = seen.account?.id;
        if (err instanceof RateLimitedError) return { ok: false, reason: 'RATE_LIMITED', retryAfterSeconds: Number(err.headers['Retry-After']), accountId };
        if (err instanceof ServerBusyError) return { ok: false, reason: 'UNAVAILABLE', retryAfterSeconds: err.retryAfterSeconds, accountId };
        throw err;
      }
    },

    assertSignInCapacity: () => hasher.assertRoom(),

    verifyPassword: (account, password, source) => hasher.admit(async (hashing) => {
      const reservation = await rateLimits.reserveLogin(account.email, await sources.limitSourceOf(account, source));
      const valid = await hashing.verify(account.passwordHash, password);
      await (valid ? reservation.succeeded() : reservation.failed());
      return valid;
    }),

    async create(input) {
      return accounts.insert({
        id: crypto.randomUUID(),
        email: normalizeEmail(input.email),
        emailVerified: input.emailVerified ?? false,
        name: input.name ?? null,
        role: input.role ?? 'user',
        passwordHash: await hasher.hash(input.password),
      });
    },

    findById: (id) => accounts.findById(id),
    findByEmail: (email) => accounts.findByEmail(normalizeEmail(email)),
    setPassword: async (id, password) => accounts.update(id, { passwordHash: await hasher.hash(password) }),
    update: (id, patch) => accounts.update(id, patch),
    delete: (id) => accounts.delete(id),
    async liftLocks(id) {
      await accounts.unlock(id);
    },
  };
}
