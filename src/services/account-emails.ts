// The two account mails, composed from views/emails/ (a text and an HTML part
// each) and handed to the Mailer port. Links are built from PUBLIC_URL only:
// this module never sees a request, so a forged Host header cannot turn a
// reset mail into a link to someone else's site.
import { safeReturnTo, withReturnTo } from '../return-to.ts';
import type { Account } from '../storage/ports.ts';
import type { Mailer } from './mailer.ts';
import { DEFAULT_BRANDING, type Branding } from './branding.ts';
import { createTemplates } from './templates.ts';
import { INVITATION_TTL_SECONDS, ONE_TIME_TOKEN_TTL_SECONDS } from './one-time-tokens.ts';

export interface AccountEmails {
  /**
   * Send the verification link (`/account/verify-email?token=…`). `returnTo`:
   * the sign-in the person started from (src/return-to.ts), carried on the
   * link so the page after it can lead back there.
   */
  sendVerification(account: Account, token: string, returnTo?: string): Promise<void>;
  /** Send the reset link (`/account/reset-password?token=…`), with `returnTo` as above. */
  sendPasswordReset(account: Account, token: string, returnTo?: string): Promise<void>;
  /** Invite the owner of an account an administrator created to set a password (the reset page, link valid 7 days). */
  sendInvitation(account: Account, token: string): Promise<void>;
  /** Tell the owner the password changed (`changed`: by the owner signed in; `reset`: through a reset link). */
  sendPasswordChanged(account: Account, how: 'changed' | 'reset'): Promise<void>;
  /** Tell the owner a recovery code was used to sign in, and how many are left. */
  sendRecoveryCodeUsed(account: Account, remaining: number): Promise<void>;
  /** Tell the owner someone tried to register with their address (HIDE_EXISTING_ACCOUNTS): sign in, or reset. */
  sendRegistrationAttempt(account: Account): Promise<void>;
}

export interface AccountEmailsDeps {
  mailer: Mailer;
  /** config.publicUrl (no trailing slash needed). */
  publicUrl: string;
  /** The views directory; templates are read from its emails/ folder. */
  viewsDir: string;
  /** The product name, logo and colour every mail shows; TEMPLATES_DIR's emails/ overrides views/emails/. */
  branding?: Branding;
}

/** Each mail's subject, naming the product so a reader knows who writes. */
export function emailSubjects(productName: string) {
  return {
    verification: `Confirm your email address · ${productName}`,
    passwordReset: `Reset your password · ${productName}`,
    passwordChanged: `Your password was changed · ${productName}`,
    invitation: `Your ${productName} account is ready`,
    recoveryCodeUsed: `A recovery code was used · ${productName}`,
    registrationAttempt: `Someone tried to register with your address · ${productName}`,
  } as const;
}

export const EMAIL_SUBJECTS = emailSubjects('Gatehouse');

/** "24 hours", "30 minutes": how long a link lasts, in the words of the mail. */
export function describeDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % 86_400 === 0 && seconds > 86_400) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  return plural(Math.ceil(seconds / 60), 'minute');
}

/**
 * The link a mail carries. The return path rides on the link itself rather
 * than in the token's record: it is no secret, the page validates it again
 * when the link is opened, and the tokens' storage stays as it is.
 */
export function accountLink(publicUrl: string, path: '/account/verify-email' | '/account/reset-password', token: string, returnTo?: string): string {
  return withReturnTo(`${publicUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`, safeReturnTo(returnTo));
}

export function createAccountEmails({ mailer, publicUrl, viewsDir, branding = DEFAULT_BRANDING }: AccountEmailsDeps): AccountEmails {
  // HTML parts escape every interpolation; text parts must not (an `&` would
  // arrive as `&amp;`) and keep their line breaks exactly as written.
  const overridesDir = branding.templatesDir;
  const html = createTemplates({ viewsDir, overridesDir, autoEscape: true });
  const text = createTemplates({ viewsDir, overridesDir, autoEscape: false, autoTrim: false });
  const EMAIL_SUBJECTS = emailSubjects(branding.productName);
  // What every mail template gets besides its own fields (README: Branding).
  const brand = {
    productName: branding.productName,
    logoUrl: branding.logoUrl,
    accent: branding.palette.light.accent,
    accentText: branding.palette.light.accentText,
    publicUrl: publicUrl.replace(/\/+$/, ''),
  };

  async function send(account: Account, template: string, subject: string, link: string, ttlSeconds: number): Promise<void> {
    // No display name: it is free text chosen by whoever registered, and the
    // verification mail goes to an address that person may not own (Keycloak
    // and Kratos leave it out for the same reason). The address is the
    // recipient's own.
    const data = { ...brand, email: account.email, link, expiresIn: describeDuration(ttlSeconds), subject };
    const [textPart, htmlPart] = await Promise.all([
      text.renderAsync(`./emails/${template}.text.eta`, data),
      html.renderAsync(`./emails/${template}.html.eta`, data),
    ]);
    await mailer.send({ to: account.email, subject, text: textPart, html: htmlPart });
  }

  // No link token here: the mail goes out after the change and points to
  // the forgot-password page, so that someone who did not make the change
  // can take the account back.
  async function sendPasswordChanged(account: Account, how: 'changed' | 'reset'): Promise<void> {
    const subject = EMAIL_SUBJECTS.passwordChanged;
    const data = {
      ...brand, email: account.email, subject,
      how: how === 'reset' ? 'reset through an emailed link' : 'changed',
      when: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      link: `${publicUrl.replace(/\/+$/, '')}/account/forgot-password`,
    };
    const [textPart, htmlPart] = await Promise.all([
      text.renderAsync('./emails/password-changed.text.eta', data),
      html.renderAsync('./emails/password-changed.html.eta', data),
    ]);
    await mailer.send({ to: account.email, subject, text: textPart, html: htmlPart });
  }

  // Like the password-changed mail: no token, a pointer to where the owner
  // can take the account back if the sign-in was not theirs.
  async function sendRecoveryCodeUsed(account: Account, remaining: number): Promise<void> {
    const subject = EMAIL_SUBJECTS.recoveryCodeUsed;
    const data = {
      ...brand, email: account.email, subject, remaining,
      when: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      link: `${publicUrl.replace(/\/+$/, '')}/account/forgot-password`,
    };
    const [textPart, htmlPart] = await Promise.all([
      text.renderAsync('./emails/recovery-code-used.text.eta', data),
      html.renderAsync('./emails/recovery-code-used.html.eta', data),
    ]);
    await mailer.send({ to: account.email, subject, text: textPart, html: htmlPart });
  }

  // No token either: the owner signs in as usual or asks for a reset link,
  // so this mail grants nothing to whoever reads it.
  async function sendRegistrationAttempt(account: Account): Promise<void> {
    const subject = EMAIL_SUBJECTS.registrationAttempt;
    const base = publicUrl.replace(/\/+$/, '');
    const data = {
      ...brand, email: account.email, subject,
      when: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      signInLink: `${base}/account`,
      link: `${base}/account/forgot-password`,
    };
    const [textPart, htmlPart] = await Promise.all([
      text.renderAsync('./emails/registration-attempt.text.eta', data),
      html.renderAsync('./emails/registration-attempt.html.eta', data),
    ]);
    await mailer.send({ to: account.email, subject, text: textPart, html: htmlPart });
  }

  return {
    sendPasswordChanged,
    sendRecoveryCodeUsed,
    sendRegistrationAttempt,
    sendVerification: (account, token, returnTo) => send(
      account, 'verify-email', EMAIL_SUBJECTS.verification,
      accountLink(publicUrl, '/account/verify-email', token, returnTo), ONE_TIME_TOKEN_TTL_SECONDS['verify-email'],
    ),
    sendInvitation: (account, token) => send(
      account, 'invitation', EMAIL_SUBJECTS.invitation,
      accountLink(publicUrl, '/account/reset-password', token), INVITATION_TTL_SECONDS,
    ),
    sendPasswordReset: (account, token, returnTo) => send(
      account, 'reset-password', EMAIL_SUBJECTS.passwordReset,
      accountLink(publicUrl, '/account/reset-password', token, returnTo), ONE_TIME_TOKEN_TTL_SECONDS['reset-password'],
    ),
  };
}
