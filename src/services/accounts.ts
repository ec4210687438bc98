// Account use cases with no HTTP in them: sign-up for the admin bootstrap and
// later the API, and the one password check shared by the token endpoint, the
// login page and the JSON API.
import type { Account, AccountStore, Role } from '../storage/ports.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { normalizeEmail } from './email.ts';
import { isStorableText } from './storable-text.ts';
import type { LoginCheck, RateLimits } from './rate-limits.ts';
import { RateLimitedError } from '../errors.ts';

export type AuthenticationResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'INVALID_CREDENTIALS' | 'EMAIL_NOT_VERIFIED' }
  | { ok: false; reason: 'RATE_LIMITED'; retryAfterSeconds: number };

export interface AccountService {
  /**
   * Check an email and password. Unknown email and wrong password return the
   * same reason after the same work (a dummy argon2 verification). Rehashes
   * the password when the hashing parameters have risen. Failed attempts
   * count against the email and `ip` (RATE_LIMITED once locked).
   */
  authenticate(email: string, password: string, ip: string): Promise<AuthenticationResult>;
  /** Check the password of a signed-in account (change password, delete account). */
  verifyPassword(account: Account, password: string): Promise<boolean>;
  create(input: { email: string; password: string; name?: string | null; role?: Role; emailVerified?: boolean }): Promise<Account>;
  findById(id: string): Promise<Account | undefined>;
  findByEmail(email: string): Promise<Account | undefined>;
  /** Hash and store a new password (the caller has checked the policy). */
  setPassword(id: string, password: string): Promise<Account | undefined>;
  update(id: string, patch: { name?: string | null; emailVerified?: boolean }): Promise<Account | undefined>;
  /** Delete the account row with its sessions and one-time tokens. */
  delete(id: string): Promise<boolean>;
}

export function createAccountService(deps: {
  accounts: AccountStore;
  hasher: PasswordHasher;
  requireEmailVerification: boolean;
  rateLimits: RateLimits;
}): AccountService {
  const { accounts, hasher, rateLimits } = deps;

  return {
    async authenticate(email, password, ip) {
      let check: LoginCheck;
      try {
        // Keyed by the address typed, known or not, so a lock says nothing about existence.
        check = await rateLimits.assertLoginAllowed(email, ip);
      } catch (err) {
        if (err instanceof RateLimitedError) return { ok: false, reason: 'RATE_LIMITED', retryAfterSeconds: Number(err.headers['Retry-After']) };
        throw err;
      }
      // The token endpoint's form is parsed by oidc-provider, not by our guards.
      const account = isStorableText(email) ? await accounts.findByEmail(normalizeEmail(email)) : undefined;
      const valid = account ? await hasher.verify(account.passwordHash, password) : await hasher.verifyDummy(password);
      if (!account || !valid) {
        await rateLimits.loginFailed(email, ip);
        return { ok: false, reason: 'INVALID_CREDENTIALS' };
      }
      await rateLimits.loginSucceeded(email, check);
      // Checked only after the password, so this answer never reveals that an
      // address is registered to someone who does not know its password.
      if (deps.requireEmailVerification && !account.emailVerified) return { ok: false, reason: 'EMAIL_NOT_VERIFIED' };
      if (hasher.needsRehash(account.passwordHash)) {
        const updated = await accounts.update(account.id, { passwordHash: await hasher.hash(password) });
        return { ok: true, account: updated ?? account };
      }
      return { ok: true, account };
    },

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

    verifyPassword: (account, password) => hasher.verify(account.passwordHash, password),

    findById: (id) => accounts.findById(id),
    findByEmail: (email) => accounts.findByEmail(normalizeEmail(email)),
    setPassword: async (id, password) => accounts.update(id, { passwordHash: await hasher.hash(password) }),
    update: (id, patch) => accounts.update(id, patch),
    delete: (id) => accounts.delete(id),
  };
}
