// Sign-up and email verification (API.md: register, verify-email, resend).
import { InvalidTokenError, WeakPasswordError } from '../errors.ts';
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
  audit: Pick<Audit, 'record'>;
  organizations: Pick<OrganizationService, 'createAtRegistration'>;
  /** Mail goes out after the answer (see deliverLater); failures land here. */
  onMailError(err: unknown): void;
}

export interface Registration {
  /** EmailExistsError, WeakPasswordError, RateLimitedError. With `organization`, the organization is created with the new account as its owner. */
  register(input: { email: string; password: string; name?: string | null; organization?: { name: string } }, ip: string, returnTo?: string): Promise<{ account: Account; verificationRequired: boolean }>;
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

  return {
    async register({ email, password, name, organization }, ip, returnTo) {
      await rateLimits.registration(ip);
      const weakness = deps.passwordPolicy.weakness(password, email);
      if (weakness) throw new WeakPasswordError(weakness);
      const account = await accounts.create({ email, password, name: cleanDisplayText(name) });
      await deps.audit.record({ type: 'registration', actor: userActor(account.id), subjectId: account.id });
      if (organization) await deps.organizations.createAtRegistration(account.id, organization.name);
      await sendVerification(account, returnTo);
      return { account, verificationRequired: deps.requireEmailVerification };
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
