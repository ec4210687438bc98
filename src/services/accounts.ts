// Account use cases with no HTTP in them: sign-up for the admin bootstrap and
// later the API, and the one password check shared by the token endpoint, the
// login page and the JSON API.
import type { Account, AccountStore, Role } from '../storage/ports.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { normalizeEmail } from './email.ts';

export type AuthenticationResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'INVALID_CREDENTIALS' | 'EMAIL_NOT_VERIFIED' };

export interface AccountService {
  /**
   * Check an email and password. Unknown email and wrong password return the
   * same reason after the same work (a dummy argon2 verification). Rehashes
   * the password when the hashing parameters have risen.
   */
  authenticate(email: string, password: string): Promise<AuthenticationResult>;
  create(input: { email: string; password: string; name?: string | null; role?: Role; emailVerified?: boolean }): Promise<Account>;
  findById(id: string): Promise<Account | undefined>;
  findByEmail(email: string): Promise<Account | undefined>;
}

export function createAccountService(deps: {
  accounts: AccountStore;
  hasher: PasswordHasher;
  requireEmailVerification: boolean;
}): AccountService {
  const { accounts, hasher } = deps;

  return {
    async authenticate(email, password) {
      const account = await accounts.findByEmail(normalizeEmail(email));
      const valid = account ? await hasher.verify(account.passwordHash, password) : await hasher.verifyDummy(password);
      if (!account || !valid) return { ok: false, reason: 'INVALID_CREDENTIALS' };
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

    findById: (id) => accounts.findById(id),
    findByEmail: (email) => accounts.findByEmail(normalizeEmail(email)),
  };
}
