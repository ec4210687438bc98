// Self-service account pages (API.md "Interaction and account pages"): sign-up,
// forgotten password, reset by link, email verification. Same rules as the
// interaction pages: GET renders with a CSRF token, POST parses the form,
// checks CSRF, and answers 303 (post/redirect/get) or re-renders with a 4xx.
// Answers for known and unknown addresses are the same page (the services
// send mail after the response, so they also take the same time).
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { InvalidTokenError } from '../../errors.ts';
import { emailField, nameField, passwordField, tokenField } from '../../fields.ts';
import { ACCOUNT_CONSOLE, safeReturnTo, withReturnTo } from '../../return-to.ts';
import { describeDuration } from '../../services/account-emails.ts';
import { ONE_TIME_TOKEN_TTL_SECONDS } from '../../services/one-time-tokens.ts';
import type { PasswordReset } from '../../services/password-reset.ts';
import type { Registration } from '../../services/registration.ts';
import { csrfToken } from '../csrf.ts';
import { createPageForm, type PageForm } from '../form.ts';
import type { FormFields } from '../form-body.ts';
import type { Renderer } from '../render.ts';

export interface AccountPagesDeps {
  registration: Registration;
  passwordReset: PasswordReset;
  render: Renderer;
}

// The API's fields (src/fields.ts). A form always sends `name`; empty means none.
const name = nameField.optional().transform((v) => v || null);
// Tokens are 43 base64url characters (one-time-tokens.ts); a link carrying
// anything else is refused before a database round trip.
const token = tokenField.regex(/^[A-Za-z0-9_-]{16,512}$/);
// "Back to sign in" and "Continue" may only lead back into a sign-in on this
// server, never to a URL a link in a mail or on another site chose
// (src/return-to.ts); anything else is dropped.
const returnTo = z.unknown().transform(safeReturnTo).optional();

const registerForm = z.object({ email: emailField, password: passwordField, name, return_to: returnTo });
const emailForm = z.object({ email: emailField, return_to: returnTo });
const resetForm = z.object({ token, password: passwordField, return_to: returnTo });
const tokenForm = z.object({ token, return_to: returnTo });

/** What an email form shows again: the address typed and where "back" leads. */
const emailValues = (form: FormFields) => ({ email: form.email ?? '', returnTo: returnTo.parse(form.return_to) });

const returnToOf = (ctx: Context) => returnTo.parse(ctx.query.return_to);

/**
 * The end of a standalone flow (reset done, address confirmed): "Continue"
 * leads back to the sign-in the person came from, else to the account
 * console, which sends whoever is not signed in to sign in.
 */
const continueTo = (back: string | undefined) => back ?? ACCOUNT_CONSOLE;

const VERIFY_LIFETIME = describeDuration(ONE_TIME_TOKEN_TTL_SECONDS['verify-email']);
const RESET_LIFETIME = describeDuration(ONE_TIME_TOKEN_TTL_SECONDS['reset-password']);

const invalidLink = (kind: 'reset' | 'verify') => ({
  title: 'This link does not work',
  message: new InvalidTokenError().message,
  failed: true,
  ...(kind === 'reset'
    ? { hint: `Reset links last ${RESET_LIFETIME} and work once.`, retry: { href: '/account/forgot-password', text: 'Ask for a new reset link' } }
    : {
      hint: `Confirmation links last ${VERIFY_LIFETIME} and work once; a newer link replaces the older ones.`,
      retry: { href: '/account/verify-email/resend', text: 'Ask for a new confirmation link' },
    }),
});

/**
 * A form that takes an address and sends it a mail (reset, verification):
 * the same answer, and the same page next, for known and unknown addresses.
 */
function mailRequestForm(
  router: Router,
  { render, pageForm }: PageKit,
  form: { page: string; view?: string; send(email: string, ip: string, returnTo?: string): Promise<void>; sent: string },
): void {
  const view = form.view ?? form.page;
  router.get(`/${form.page}`, csrfToken(), async function showMailRequest(ctx) {
    await render(ctx, view, { email: '', returnTo: returnToOf(ctx) });
  });

  router.post(`/${form.page}`, ...pageForm({
    schema: emailForm,
    view,
    values: emailValues,
    async onSuccess(ctx, { email, return_to: back }) {
      await form.send(email, ctx.ip, back);
      return withReturnTo(form.sent, back);
    },
  }));
}

/**
 * The page a link from a mail opens. The GET only shows the form: mail
 * scanners and link previews fetch links, so reading one never uses it up.
 * The POST uses the token, then leads to `<page>/done`.
 */
function linkForm<T extends { token: string; return_to?: string | undefined }>(
  router: Router,
  { render, pageForm, message }: PageKit,
  link: { page: string; kind: 'reset' | 'verify'; schema: z.ZodType<T>; use(data: T): Promise<unknown> },
): void {
  router.get(`/${link.page}`, csrfToken(), async function showLinkForm(ctx) {
    const parsed = tokenForm.safeParse({ token: ctx.query.token, return_to: ctx.query.return_to });
    if (!parsed.success) return message(ctx, invalidLink(link.kind), 400);
    await render(ctx, link.page, { token: parsed.data.token, returnTo: parsed.data.return_to });
  });

  router.post(`/${link.page}`, ...pageForm({
    schema: link.schema,
    view: link.page,
    values: (form) => ({ token: form.token, returnTo: returnTo.parse(form.return_to) }),
    async onSuccess(_ctx, data) {
      await link.use(data);
      return withReturnTo(`/account/${link.page}/done`, data.return_to);
    },
    onRefusal: async (ctx, refusal) => badLink(ctx, refusal, link.kind, message),
  }));
}

/** A link that does not work (a malformed, unknown, used or expired token) gets its own page, not the form again. */
async function badLink(ctx: Context, refusal: unknown, kind: 'reset' | 'verify', message: PageKit['message']): Promise<boolean> {
  const tokenIssue = refusal instanceof z.ZodError && refusal.issues.some((issue) => issue.path[0] === 'token');
  if (!tokenIssue && !(refusal instanceof InvalidTokenError)) return false;
  await message(ctx, invalidLink(kind), 400);
  return true;
}

export function createAccountPagesRouter(deps: AccountPagesDeps): Router {
  const router = new Router({ prefix: '/account' });
  const kit: PageKit = {
    ...deps,
    pageForm: createPageForm(deps.render),
    message: (ctx, data, status) => deps.render(ctx, 'account-message', data, status),
  };
  signUpPages(router, kit);
  forgotPasswordPages(router, kit);
  verificationPages(router, kit);
  return router;
}

interface PageKit extends AccountPagesDeps {
  pageForm: PageForm;
  message(ctx: Context, data: Record<string, unknown>, status?: number): Promise<void>;
}

function signUpPages(router: Router, { registration, render, pageForm, message }: PageKit): void {
  // REGISTRATION_ENABLED=false: the page says so instead of showing a form the API would refuse.
  const closed = async (ctx: Context, status: number) => message(ctx, {
    title: 'Sign-up is closed',
    message: 'New accounts are not created here. Ask an administrator of this service for one.',
    hint: 'Already have an account? Sign in from the application you came from.',
    returnTo: returnToOf(ctx),
  }, status);

  router.get('/register', csrfToken(), async function showRegister(ctx) {
    if (!registration.open) return closed(ctx, 200);
    await render(ctx, 'register', { email: '', name: '', returnTo: returnToOf(ctx) });
  });

  router.post('/register', async (ctx, next) => (registration.open ? next() : closed(ctx, 403)), ...pageForm({
    schema: registerForm,
    view: 'register',
    values: (form) => ({ ...emailValues(form), name: form.name ?? '' }),
    async onSuccess(ctx, { email, password, name: displayName, return_to: back }) {
      const result = await registration.register({ email, password, name: displayName }, ctx.ip, back);
      if (result.outcome === 'accepted') return withReturnTo('/account/register/sent', back);
      return withReturnTo(result.verificationRequired ? '/account/register/check-email' : '/account/register/done', back);
    },
  }));

  router.get('/register/check-email', async function registeredUnverified(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'Your account is created. We sent you a mail with a link to confirm your address; open it to finish.',
      hint: `The link lasts ${VERIFY_LIFETIME}. No mail? Check your spam folder, or ask for a new one when you sign in.`,
      returnTo: returnToOf(ctx),
    });
  });

  // HIDE_EXISTING_ACCOUNTS: the same page for a new and a taken address.
  router.get('/register/sent', async function registrationAccepted(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'We sent a mail to the address you gave, telling you what to do next.',
      hint: 'No mail? Check your spam folder.',
      returnTo: returnToOf(ctx),
    });
  });

  router.get('/register/done', async function registered(ctx) {
    const back = returnToOf(ctx);
    await message(ctx, { title: 'Account created', message: 'Your account is ready. You can sign in now.', continueTo: continueTo(back), returnTo: back });
  });

}

function forgotPasswordPages(router: Router, kit: PageKit): void {
  const { passwordReset, message } = kit;
  mailRequestForm(router, kit, { page: 'forgot-password', send: passwordReset.requestReset, sent: '/account/forgot-password/sent' });

  router.get('/forgot-password/sent', async function resetRequested(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'If an account exists for that address, we sent it a link to choose a new password.',
      hint: `The link lasts ${RESET_LIFETIME} and works once. No mail? Check your spam folder or try again.`,
      returnTo: returnToOf(ctx),
    });
  });

  // The link in the mail. A weak password leaves the token usable
  // (PasswordReset): the same form again, with the same token.
  linkForm(router, kit, { page: 'reset-password', kind: 'reset', schema: resetForm, use: (data) => passwordReset.confirmReset(data.token, data.password) });

  router.get('/reset-password/done', async function resetDone(ctx) {
    const back = returnToOf(ctx);
    await message(ctx, {
      title: 'Password changed',
      message: 'Your new password is set, and every device that was signed in has been signed out.',
      hint: back ? 'Continue to sign in with your new password.' : 'Sign in with your new password.',
      continueTo: continueTo(back),
      returnTo: back,
    });
  });

}

function verificationPages(router: Router, kit: PageKit): void {
  const { registration, message } = kit;
  linkForm(router, kit, { page: 'verify-email', kind: 'verify', schema: tokenForm, use: (data) => registration.verifyEmail(data.token) });

  router.get('/verify-email/done', async function verified(ctx) {
    const back = returnToOf(ctx);
    await message(ctx, {
      title: 'Email address confirmed',
      message: 'Thank you: your address is confirmed.',
      hint: back ? 'Continue to the sign-in you started.' : 'You can sign in now.',
      continueTo: continueTo(back),
      returnTo: back,
    });
  });

  mailRequestForm(router, kit, { page: 'verify-email/resend', view: 'verify-email-resend', send: registration.resendVerification, sent: '/account/verify-email/sent' });

  router.get('/verify-email/sent', async function resendDone(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'If that address has an account waiting for confirmation, we sent it a new link.',
      hint: `The link lasts ${VERIFY_LIFETIME}; older links no longer work. No mail? Check your spam folder.`,
      returnTo: returnToOf(ctx),
    });
  });
}
