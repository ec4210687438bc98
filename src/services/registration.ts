// Sign-up and email verification (API.md: register, verify-email, resend).
import { EmailExistsError, InvalidTokenError, RegistrationDisabledError, WeakPasswordError } from '../errors.ts';
import type { Account } from '../storage/ports.ts';
import type { AccountEmails } from './account-emails.ts';
import type { AccountService } from './accounts.ts';
import { userActor, type Audit } from './audit.ts';
import { cleanDisplayText } from './display-text.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import type { PasswordPolicy } from './password-policy.ts';
import type { OrganizationService } from './organizations.ts';
import type { RateLimits } from './rate-limits.ts';

export interface RegistrationDeps {
  accounts: AccountService;
  tokens: OneTimeTokens;
  emails: AccountEmails;
  rateLimits: RateLimits;
  passwordPolicy: PasswordPolicy;
  requireEmailVerification: boolean;
  /** REGISTRATION_ENABLED=false: register refuses with RegistrationDisabledError. */
  registrationEnabled: boolean;
  /** HIDE_EXISTING_ACCOUNTS: a taken address gets the same answer as a new one, and its owner a mail. */
  hideExistingAccounts: boolean;
  audit: Pick<Audit, 'record'>;
  organizations: Pick<OrganizationService, 'createAtRegistration'>;
  /** Mail goes out after the answer (see deliverLater); failures land here. */
  onMailError(err: unknown): void;
}

/**
 * `created`: the account (EMAIL_EXISTS was possible). `accepted`: with
 * HIDE_EXISTING_ACCOUNTS, for a new and a taken address alike, so the caller
 * cannot tell which it was.
 */
export type RegisterOutcome =
  | { outcome: 'created'; account: Account; verificationRequired: boolean }
  | { outcome: 'accepted' };

export interface Registration {
  /** Whether self-service sign-up is open (REGISTRATION_ENABLED). */
  readonly open: boolean;
  /**
   * RegistrationDisabledError, EmailExistsError (unless hidden), WeakPasswordError, RateLimitedError.
   * With `organization`, the organization is created with the new account as its owner.
   */
  register(input: { email: string; password: string; name?: string | null; organization?: { name: string } }, ip: string, returnTo?: string): Promise<RegisterOutcome>;
  /** InvalidTokenError when unknown, used or expired. */
  verifyEmail(token: string): Promise<void>;
  /** Sends a new link when the account exists and is unverified; says nothing either way. */
  resendVerification(email: string, ip: string, returnTo?: string): Promise<void>;
}

/**
 * Send without making the caller wait: answers for known and unknown
 * addresses then take the same time, and a slow SMTP server cannot hold a
 * request open.
 */
export function deliverLater(send: Promise<void>, onError: (err: unknown) => void): void {
  send.catch(onError);
}

export function createRegistration(deps: RegistrationDeps): Registration {
  const { accounts, tokens, emails, rateLimits } = deps;

  async function sendVerification(account: Account, returnTo: string | undefined): Promise<void> {
    const token = await tokens.issue(account.id, 'verify-email');
    deliverLater(emails.sendVerification(account, token, returnTo), deps.onMailError);
  }

  /**
   * The taken-address path under HIDE_EXISTING_ACCOUNTS. It follows the
   * insert the new-address path made (and the password hash before it, the
   * bulk of the work), then reads the owner, audits and queues a mail: about
   * the same work as the token and audit of the other path, so the answer's
   * timing does not tell them apart (bench row `register-hidden`).
   */
  async function attemptOnTaken(email: string): Promise<void> {
    const owner = await accounts.findByEmail(email);
    await deps.audit.record({ type: 'registration', result: 'failure', reason: EmailExistsError.code, subjectId: owner?.id });
    if (owner) deliverLater(emails.sendRegistrationAttempt(owner), deps.onMailError);
  }

  return {
    open: deps.registrationEnabled,

    async register({ email, password, name, organization }, ip, returnTo) {
      if (!deps.registrationEnabled) {
        await deps.audit.record({ type: 'registration', result: 'failure', reason: RegistrationDisabledError.code });
        throw new RegistrationDisabledError();
      }
      await rateLimits.registration(ip);
      const weakness = deps.passwordPolicy.weakness(password, email);
      if (weakness) throw new WeakPasswordError(weakness);
      let account: Account;
      try {
        account = await accounts.create({ email, password, name: cleanDisplayText(name) });
      } catch (err) {
        if (!(err instanceof EmailExistsError) || !deps.hideExistingAccounts) throw err;
        await attemptOnTaken(email);
        return { outcome: 'accepted' };
      }
      await deps.audit.record({ type: 'registration', actor: userActor(account.id), subjectId: account.id });
      if (organization) await deps.organizations.createAtRegistration(account.id, organization.name);
      await sendVerification(account, returnTo);
      if (deps.hideExistingAccounts) return { outcome: 'accepted' };
      return { outcome: 'created', account, verificationRequired: deps.requireEmailVerification };
    },

    async verifyEmail(token) {
      const accountId = await tokens.consume(token, 'verify-email');
      if (accountId === undefined || !(await accounts.update(accountId, { emailVerified: true }))) throw new InvalidTokenError();
      await deps.audit.record({ type: 'email.verified', actor: userActor(accountId), subjectId: accountId });
    },

    async resendVerification(email, ip, returnTo) {
      await rateLimits.mailRequest('verification-resend', email, ip);
      const account = await accounts.findByEmail(email);
      if (account && !account.emailVerified) await sendVerification(account, returnTo);
    },
  };
}
