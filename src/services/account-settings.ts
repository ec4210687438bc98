// What a signed-in user does to their own account (API.md: /me, /me/password).
import { WeakPasswordError, WrongPasswordError } from '../errors.ts';
import type { Account } from '../storage/ports.ts';
import type { AccountEmails } from './account-emails.ts';
import type { AccountService } from './accounts.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import { deliverLater } from './registration.ts';
import { cleanDisplayText } from './display-text.ts';
import { passwordWeakness } from './password-policy.ts';
import type { SessionService } from './sessions.ts';

export interface AccountSettings {
  updateProfile(account: Account, patch: { name?: string | null }): Promise<Account>;
  /** WrongPasswordError, WeakPasswordError; ends every session but the current one, voids reset links, mails the owner. */
  changePassword(account: Account, input: { currentPassword: string; newPassword: string; currentSessionId: string }): Promise<void>;
  /** WrongPasswordError; removes the account, its sessions, grants, tokens and one-time tokens. */
  deleteAccount(account: Account, password: string): Promise<void>;
}

export function createAccountSettings(deps: {
  accounts: AccountService;
  sessions: SessionService;
  tokens: OneTimeTokens;
  emails: AccountEmails;
  onMailError(err: unknown): void;
}): AccountSettings {
  const { accounts, sessions } = deps;

  async function assertPassword(account: Account, password: string): Promise<void> {
    if (!(await accounts.verifyPassword(account, password))) throw new WrongPasswordError();
  }

  return {
    async updateProfile(account, patch) {
      if (patch.name === undefined) return account;
      return (await accounts.update(account.id, { name: cleanDisplayText(patch.name) })) ?? account;
    },

    async changePassword(account, { currentPassword, newPassword, currentSessionId }) {
      await assertPassword(account, currentPassword);
      const weakness = passwordWeakness(newPassword, account.email);
      if (weakness) throw new WeakPasswordError(weakness);
      await accounts.setPassword(account.id, newPassword);
      await sessions.revokeOthers(account.id, currentSessionId);
      // A reset link mailed before the change would undo it.
      await deps.tokens.voidAll(account.id, 'reset-password');
      deliverLater(deps.emails.sendPasswordChanged(account, 'changed'), deps.onMailError);
    },

    async deleteAccount(account, password) {
      await assertPassword(account, password);
      // OIDC records first: once the account row is gone nothing else would find them.
      await sessions.revokeAll(account.id);
      await accounts.delete(account.id);
    },
  };
}
