// What an administrator does to accounts (API.md, "Administration API"):
// list, create or invite, change, disable, delete, reset, unlock, sessions.
// LAST_ADMIN is decided by the store together with the write
// (AccountWriteOptions.keepAnAdmin), never by a check before it.
import { randomBytes } from 'node:crypto';
import { UserNotFoundError, WeakPasswordError } from '../errors.ts';
import type { Account, AccountStatus, AccountStore } from '../storage/ports.ts';
import type { AccountEmails } from './account-emails.ts';
import type { AccountService } from './accounts.ts';
import type { MfaFactors } from './mfa/factors.ts';
import { INVITATION_TTL_SECONDS, type OneTimeTokens } from './one-time-tokens.ts';
import { cleanDisplayText } from './display-text.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { RateLimits } from './rate-limits.ts';
import { deliverLater } from './registration.ts';
import type { RoleService } from './roles.ts';
import type { OrganizationService } from './organizations.ts';
import type { SessionService } from './sessions.ts';
import type { SessionView } from './session-views.ts';

export interface AdminUserView {
  account: Account;
  permissions: string[];
  /** Some sign-in source is locked out of the account right now. */
  locked: boolean;
  /** The account's confirmed second factors. */
  mfa: { id: string; type: string }[];
}

export interface AdminUserPatch {
  name?: string | null;
  role?: string;
  emailVerified?: boolean;
  disabled?: boolean;
}

export interface AdminUsers {
  list(query: { q?: string; role?: string; status?: AccountStatus; limit: number; after?: { createdAt: Date; id: string } }): Promise<AdminUserView[]>;
  /** EmailExistsError, WeakPasswordError, RoleNotFoundError. Without a password, an invitation mail goes out. */
  create(input: { email: string; name?: string | null; role?: string; emailVerified?: boolean; password?: string }): Promise<AdminUserView>;
  /** UserNotFoundError. */
  get(id: string): Promise<AdminUserView>;
  /** UserNotFoundError, RoleNotFoundError, LastAdminError. Disabling ends every session, grant and token of the account. */
  update(id: string, patch: AdminUserPatch): Promise<AdminUserView>;
  /** UserNotFoundError, LastAdminError; as DELETE /me. */
  delete(id: string): Promise<void>;
  /** UserNotFoundError; mails a reset link. */
  sendPasswordReset(id: string): Promise<void>;
  /** UserNotFoundError; lifts every sign-in lock of the account. */
  unlock(id: string): Promise<void>;
  /** UserNotFoundError; removes every factor, recovery code and pending MFA sign-in, and lifts the MFA lock. */
  removeMfa(id: string): Promise<void>;
  /** UserNotFoundError. */
  sessions(id: string): Promise<SessionView[]>;
  /** UserNotFoundError; how many sessions ended. */
  revokeSessions(id: string): Promise<number>;
  /** UserNotFoundError, SessionNotFoundError. */
  revokeSession(id: string, sessionId: string): Promise<void>;
}

export function createAdminUsers(deps: {
  store: AccountStore;
  accounts: AccountService;
  roles: RoleService;
  sessions: SessionService;
  tokens: OneTimeTokens;
  emails: AccountEmails;
  rateLimits: RateLimits;
  passwordPolicy: PasswordPolicy;
  onMailError(err: unknown): void;
  mfa: Pick<MfaFactors, 'resetForAccount' | 'activeFactors'>;
  organizations: Pick<OrganizationService, 'removeAccount'>;
}): AdminUsers {
  const { store, accounts, sessions } = deps;

  async function view(account: Account): Promise<AdminUserView> {
    const locked = account.lockedUntil !== null && account.lockedUntil.getTime() > Date.now();
    const [permissions, mfa] = await Promise.all([deps.roles.permissionsOf(account.role), deps.mfa.activeFactors(account.id)]);
    return { account, permissions, locked, mfa };
  }

  async function find(id: string): Promise<Account> {
    const account = await store.findById(id);
    if (!account) throw new UserNotFoundError();
    return account;
  }

  return {
    async list(query) {
      const found = await store.list({ ...query, now: new Date() });
      const permissions = new Map<string, string[]>();
      for (const role of new Set(found.map((a) => a.role))) permissions.set(role, await deps.roles.permissionsOf(role));
      const now = Date.now();
      // One query per listed account (a page is at most 200).
      const mfa = await Promise.all(found.map((account) => deps.mfa.activeFactors(account.id)));
      return found.map((account, i) => ({
        account, permissions: permissions.get(account.role)!, locked: (account.lockedUntil?.getTime() ?? 0) > now, mfa: mfa[i]!,
      }));
    },

    async create(input) {
      if (input.password !== undefined) {
        const weakness = deps.passwordPolicy.weakness(input.password, input.email);
        if (weakness) throw new WeakPasswordError(weakness);
      }
      const account = await accounts.create({
        email: input.email,
        // Nobody knows this one: until the invitation is used, no password signs in.
        password: input.password ?? randomBytes(32).toString('base64url'),
        name: input.name === undefined ? null : cleanDisplayText(input.name),
        role: input.role ?? 'user',
        emailVerified: input.emailVerified ?? false,
      });
      if (input.password === undefined) {
        const token = await deps.tokens.issue(account.id, 'reset-password', INVITATION_TTL_SECONDS);
        deliverLater(deps.emails.sendInvitation(account, token), deps.onMailError);
      }
      return view(account);
    },

    get: async (id) => view(await find(id)),

    async update(id, patch) {
      const updated = await store.update(
        id,
        {
          ...(patch.name !== undefined && { name: cleanDisplayText(patch.name) }),
          ...(patch.role !== undefined && { role: patch.role }),
          ...(patch.emailVerified !== undefined && { emailVerified: patch.emailVerified }),
          ...(patch.disabled !== undefined && { disabled: patch.disabled }),
        },
        { keepAnAdmin: true },
      );
      if (!updated) throw new UserNotFoundError();
      // After the flag is stored: from here no sign-in passes, so nothing
      // can start a session that this revocation would miss.
      if (patch.disabled === true) await sessions.revokeAll(id);
      return view(updated);
    },

    async delete(id) {
      await find(id);
      // The guard first (the store refuses the last admin before touching
      // anything); then as DELETE /me: OIDC records, then the account.
      await store.update(id, { disabled: true }, { keepAnAdmin: true });
      await sessions.revokeAll(id);
      // Memberships before the row: the cascade would hide which organizations it solely owned.
      await deps.organizations.removeAccount(id);
      if (!(await store.delete(id, { keepAnAdmin: true }))) throw new UserNotFoundError();
    },

    async sendPasswordReset(id) {
      const account = await find(id);
      const send = async () => deps.emails.sendPasswordReset(account, await deps.tokens.issue(account.id, 'reset-password'));
      deliverLater(send(), deps.onMailError);
    },

    async unlock(id) {
      const account = await store.unlock(id);
      if (!account) throw new UserNotFoundError();
      // The pair locks went with the old generation; the account-wide one is keyed by address.
      await deps.rateLimits.liftLoginLocks(account.email);
    },

    async removeMfa(id) {
      await find(id);
      await deps.mfa.resetForAccount(id);
    },

    async sessions(id) {
      await find(id);
      return sessions.list(id);
    },

    async revokeSessions(id) {
      await find(id);
      return sessions.revokeAll(id);
    },

    async revokeSession(id, sessionId) {
      await find(id);
      await sessions.revoke(id, sessionId);
    },
  };
}
