// What a signed-in user does to their own account (API.md: /me, /me/password).
import { WeakPasswordError, WrongPasswordError } from '../errors.ts';
import type { Account } from '../storage/ports.ts';
import type { AccountEmails } from './account-emails.ts';
import type { AccountService, SignInSource } from './accounts.ts';
import type { Audit } from './audit.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import { deliverLater } from './registration.ts';
import { cleanDisplayText } from './display-text.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { OrganizationService } from './organizations.ts';
import type { SessionService } from './sessions.ts';

export interface AccountSettings {
  updateProfile(account: Account, patch: { name?: string | null; picture?: string | null }): Promise<Account>;
  /**
   * WrongPasswordError, WeakPasswordError; ends every session but the current
   * one, voids reset links and mails the owner. The current password is
   * checked as a sign-in attempt from `source` (RateLimitedError, ServerBusyError).
   */
  changePassword(account: Account, input: { currentPassword: string; newPassword: string; currentSessionId: string }, source: SignInSource): Promise<void>;
  /**
   * WrongPasswordError (RateLimitedError, ServerBusyError as above); removes the account, its sessions, grants, tokens,
   * one-time tokens and memberships, and the organizations it was the only owner of.
   */
  deleteAccount(account: Account, password: string, source: SignInSource): Promise<void>;
}

export function createAccountSettings(deps: {
  accounts: AccountService;
  sessions: SessionService;
  passwordPolicy: PasswordPolicy;
  tokens: OneTimeTokens;
  emails: AccountEmails;
  audit: Pick<Audit, 'record'>;
  organizations: Pick<OrganizationService, 'removeAccount'>;
  onMailError(err: unknown): void;
}): AccountSettings {
  const { accounts, sessions } = deps;

  /** The current password, checked as a sign-in attempt; a refusal is audited under `type` (the attempted change). */
  async function assertPassword(account: Account, password: string, source: SignInSource, type: string): Promise<void> {
    try {
      if (!(await accounts.verifyPassword(account, password, source))) throw new WrongPasswordError();
    } catch (err) {
      const reason = (err as { code?: unknown }).code;
      if (typeof reason === 'string') await deps.audit.record({ type, result: 'failure', reason, subjectId: account.id });
      throw err;
    }
  }

  return {
    async updateProfile(account, patch) {
      if (patch.name === undefined && patch.picture === undefined) return account;
      const name = patch.name === undefined ? undefined : cleanDisplayText(patch.name);
      return (await accounts.update(account.id, { name, picture: patch.picture })) ?? account;
    },

    async changePassword(account, { currentPassword, newPassword, currentSessionId }, source) {
      await assertPassword(account, currentPassword, source, 'password.changed');
      const weakness = deps.passwordPolicy.weakness(newPassword, account.email);
      if (weakness) throw new WeakPasswordError(weakness);
      await accounts.setPassword(account.id, newPassword);
      await deps.audit.record({ type: 'password.changed', subjectId: account.id });
      await sessions.revokeOthers(account.id, currentSessionId);
      // A reset link mailed before the change would undo it.
      await deps.tokens.voidAll(account.id, 'reset-password');
      deliverLater(deps.emails.sendPasswordChanged(account, 'changed'), deps.onMailError);
    },

    async deleteAccount(account, password, source) {
      await assertPassword(account, password, source, 'account.deleted');
      // OIDC records first: once the account row is gone nothing else would find them.
      await sessions.revokeAll(account.id);
      await deps.organizations.removeAccount(account.id);
      await accounts.delete(account.id);
      await deps.audit.record({ type: 'account.deleted', subjectId: account.id });
    },
  };
}
