// Forgotten password by mail (API.md: password-reset, password-reset/confirm).
// Reset is not subject to the sign-in lock: a locked account's owner can
// always get back in this way.
import { InvalidTokenError, WeakPasswordError } from '../errors.ts';
import type { AccountEmails } from './account-emails.ts';
import type { AccountService } from './accounts.ts';
import { userActor, type Audit } from './audit.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { RateLimits } from './rate-limits.ts';
import { deliverLater } from './registration.ts';
import type { SessionService } from './sessions.ts';

export interface PasswordReset {
  /** Mails a link when the account exists; says nothing either way. RateLimitedError past the limits. */
  requestReset(email: string, ip: string, returnTo?: string): Promise<void>;
  /**
   * InvalidTokenError (unknown, used, expired) or WeakPasswordError; a weak
   * password leaves the token usable. On success every session ends and the owner is told by mail.
   */
  confirmReset(token: string, newPassword: string): Promise<void>;
}

export function createPasswordReset(deps: {
  accounts: AccountService;
  tokens: OneTimeTokens;
  emails: AccountEmails;
  sessions: SessionService;
  rateLimits: RateLimits;
  passwordPolicy: PasswordPolicy;
  audit: Pick<Audit, 'record' | 'hashIdentifier'>;
  onMailError(err: unknown): void;
}): PasswordReset {
  const { accounts, tokens, emails, sessions, rateLimits } = deps;

  return {
    async requestReset(email, ip, returnTo) {
      await rateLimits.mailRequest('password-reset', email, ip);
      const account = await accounts.findByEmail(email);
      // One insert for known and unknown addresses alike (the timing must not
      // tell them apart); an unknown one is kept only as its keyed hash.
      await deps.audit.record({
        type: 'password_reset.requested',
        subjectId: account?.id ?? null,
        ...(!account && { details: { identifier_hash: deps.audit.hashIdentifier(email) } }),
      });
      if (!account) return;
      // The token is written after the answer, like the mail: were the
      // answer to wait for the write, a known address would answer later
      // than an unknown one, and the timing would tell which accounts exist.
      const issueAndSend = async () => emails.sendPasswordReset(account, await tokens.issue(account.id, 'reset-password'), returnTo);
      deliverLater(issueAndSend(), deps.onMailError);
    },

    async confirmReset(token, newPassword) {
      // Peek first: the policy needs the account's email, and a refused
      // password must not use the token up (API.md).
      const peeked = await tokens.peek(token, 'reset-password');
      const account = peeked === undefined ? undefined : await accounts.findById(peeked);
      if (!account) throw new InvalidTokenError();
      const weakness = deps.passwordPolicy.weakness(newPassword, account.email);
      if (weakness) throw new WeakPasswordError(weakness);
      if ((await tokens.consume(token, 'reset-password')) !== account.id) throw new InvalidTokenError();

      await accounts.setPassword(account.id, newPassword);
      // The link arrived by mail, so the address is proven, and the sign-in
      // lock has served its purpose.
      if (!account.emailVerified) await accounts.update(account.id, { emailVerified: true });
      await rateLimits.liftLoginLocks(account.email);
      await accounts.liftLocks(account.id);
      await sessions.revokeAll(account.id);
      await deps.audit.record({ type: 'password_reset.completed', actor: userActor(account.id), subjectId: account.id });
      deliverLater(emails.sendPasswordChanged(account, 'reset'), deps.onMailError);
    },
  };
}
