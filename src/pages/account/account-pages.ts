// Self-service account pages (API.md "Interaction and account pages"): sign-up,
// forgotten password, reset by link, email verification. Same rules as the
// interaction pages: GET renders with a CSRF token, POST parses the form,
// checks CSRF, and answers 303 (post/redirect/get) or re-renders with a 4xx.
// Answers for known and unknown addresses are the same page (the services
// send mail after the response, so they also take the same time).
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { AppError, EmailExistsError, InvalidTokenError } from '../../errors.ts';
import { describeDuration } from '../../services/account-emails.ts';
import { ONE_TIME_TOKEN_TTL_SECONDS } from '../../services/one-time-tokens.ts';
import type { PasswordReset } from '../../services/password-reset.ts';
import type { Registration } from '../../services/registration.ts';
import { csrfToken, requireCsrf } from '../csrf.ts';
import { formBody, formOf } from '../form-body.ts';
import type { Renderer } from '../render.ts';

export interface AccountPagesDeps {
  registration: Registration;
  passwordReset: PasswordReset;
  render: Renderer;
}

// Limits as in the JSON API (src/http/api/schemas.ts); the password policy
// itself (8-256, common, equal to email) answers with its own reason.
const email = z.string({ error: 'Enter your email address.' }).max(320, 'The email address is too long.')
  .transform((v) => v.trim())
  .pipe(z.string().min(1, 'Enter your email address.').pipe(z.email({ error: 'Enter a valid email address.' })));
const password = z.string({ error: 'Enter a password.' }).min(1, 'Enter a password.').max(4096, 'The password must be at most 256 characters long.');
const name = z.string().optional()
  .transform((v) => v?.trim() || null)
  .pipe(z.string().max(200, 'The name must be at most 200 characters long.').nullable());
// Tokens are 43 base64url characters (one-time-tokens.ts); anything else is
// refused before a database round trip.
const token = z.string().regex(/^[A-Za-z0-9_-]{16,512}$/);
// "Back to sign in" may only lead to one of our own interaction pages, never
// to a URL a link in a mail or on another site chose.
const returnTo = z.string().regex(/^\/interaction\/[A-Za-z0-9_-]{1,128}$/).optional().catch(undefined);

const registerForm = z.object({ email, password, name, return_to: returnTo });
const emailForm = z.object({ email, return_to: returnTo });
const resetForm = z.object({ token, password });
const tokenForm = z.object({ token });

type Parsed<T> = { ok: true; data: T } | { ok: false; message: string };

function parse<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, data: result.data } : { ok: false, message: result.error.issues[0]?.message ?? 'Check the form.' };
}

const returnToOf = (ctx: Context) => returnTo.parse(ctx.query.return_to);
const withReturnTo = (path: string, back: string | undefined) => (back ? `${path}?return_to=${encodeURIComponent(back)}` : path);

function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

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
 * A service's client error (WeakPassword 400, EmailExists 409, RateLimited
 * 429 with Retry-After, …) re-renders the form with its message; anything
 * else is a bug for the error handler.
 */
async function renderFailure(
  ctx: Context,
  render: Renderer,
  err: unknown,
  view: string,
  data: Record<string, unknown>,
): Promise<void> {
  if (!(err instanceof AppError) || err.status < 400 || err.status >= 500) throw err;
  ctx.set(err.headers);
  await render(ctx, view, { ...data, error: err.message, emailExists: err instanceof EmailExistsError }, err.status);
}

export function createAccountPagesRouter(deps: AccountPagesDeps): Router {
  const router = new Router({ prefix: '/account' });
  const kit: PageKit = {
    ...deps,
    post: [formBody(), csrfToken(), requireCsrf(deps.render)],
    message: (ctx, data, status) => deps.render(ctx, 'account-message', data, status),
  };
  signUpPages(router, kit);
  forgotPasswordPages(router, kit);
  verificationPages(router, kit);
  return router;
}

interface PageKit extends AccountPagesDeps {
  /** The steps before every form post handler: parse, token cookie, CSRF check. */
  post: Middleware[];
  message(ctx: Context, data: Record<string, unknown>, status?: number): Promise<void>;
}

function signUpPages(router: Router, { registration, render, post, message }: PageKit): void {
  router.get('/register', csrfToken(), async function showRegister(ctx) {
    await render(ctx, 'register', { email: '', name: '', returnTo: returnToOf(ctx) });
  });

  router.post('/register', ...post, async function submitRegister(ctx) {
    const form = formOf(ctx);
    const back = returnTo.parse(form.return_to);
    const view = { email: form.email ?? '', name: form.name ?? '', returnTo: back };
    const parsed = parse(registerForm, form);
    if (!parsed.ok) return render(ctx, 'register', { ...view, error: parsed.message }, 400);
    try {
      const { email: address, password: secret, name: displayName } = parsed.data;
      const { verificationRequired } = await registration.register({ email: address, password: secret, name: displayName }, ctx.ip);
      seeOther(ctx, withReturnTo(verificationRequired ? '/account/register/check-email' : '/account/register/done', back));
    } catch (err) {
      await renderFailure(ctx, render, err, 'register', view);
    }
  });

  router.get('/register/check-email', async function registeredUnverified(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'Your account is created. We sent you a mail with a link to confirm your address; open it to finish.',
      hint: `The link lasts ${VERIFY_LIFETIME}. No mail? Check your spam folder, or ask for a new one when you sign in.`,
      returnTo: returnToOf(ctx),
    });
  });

  router.get('/register/done', async function registered(ctx) {
    await message(ctx, { title: 'Account created', message: 'Your account is ready. You can sign in now.', returnTo: returnToOf(ctx) });
  });

}

function forgotPasswordPages(router: Router, { passwordReset, render, post, message }: PageKit): void {
  router.get('/forgot-password', csrfToken(), async function showForgot(ctx) {
    await render(ctx, 'forgot-password', { email: '', returnTo: returnToOf(ctx) });
  });

  router.post('/forgot-password', ...post, async function submitForgot(ctx) {
    const form = formOf(ctx);
    const view = { email: form.email ?? '', returnTo: returnTo.parse(form.return_to) };
    const parsed = parse(emailForm, form);
    if (!parsed.ok) return render(ctx, 'forgot-password', { ...view, error: parsed.message }, 400);
    try {
      await passwordReset.requestReset(parsed.data.email, ctx.ip);
      seeOther(ctx, withReturnTo('/account/forgot-password/sent', parsed.data.return_to));
    } catch (err) {
      await renderFailure(ctx, render, err, 'forgot-password', view);
    }
  });

  router.get('/forgot-password/sent', async function resetRequested(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'If an account exists for that address, we sent it a link to choose a new password.',
      hint: `The link lasts ${RESET_LIFETIME} and works once. No mail? Check your spam folder or try again.`,
      returnTo: returnToOf(ctx),
    });
  });

  // The link in the mail.
  router.get('/reset-password', csrfToken(), async function showReset(ctx) {
    // Reading the link does not use the token up: only the POST does.
    const parsed = parse(tokenForm, { token: ctx.query.token });
    if (!parsed.ok) return message(ctx, invalidLink('reset'), 400);
    await render(ctx, 'reset-password', { token: parsed.data.token });
  });

  router.post('/reset-password', ...post, async function submitReset(ctx) {
    const form = formOf(ctx);
    if (!tokenForm.safeParse(form).success) return message(ctx, invalidLink('reset'), 400);
    const parsed = parse(resetForm, form);
    if (!parsed.ok) return render(ctx, 'reset-password', { token: form.token, error: parsed.message }, 400);
    try {
      await passwordReset.confirmReset(parsed.data.token, parsed.data.password);
      seeOther(ctx, '/account/reset-password/done');
    } catch (err) {
      if (err instanceof InvalidTokenError) return message(ctx, invalidLink('reset'), 400);
      // A weak password leaves the token usable (PasswordReset): same form, same token.
      await renderFailure(ctx, render, err, 'reset-password', { token: parsed.data.token });
    }
  });

  router.get('/reset-password/done', async function resetDone(ctx) {
    await message(ctx, {
      title: 'Password changed',
      message: 'Your new password is set, and every device that was signed in has been signed out.',
      hint: 'Go back to the application you were using and sign in with your new password.',
    });
  });

}

function verificationPages(router: Router, { registration, render, post, message }: PageKit): void {
  router.get('/verify-email', csrfToken(), async function showVerify(ctx) {
    // Mail scanners and link previews fetch links: a GET must not confirm.
    const parsed = parse(tokenForm, { token: ctx.query.token });
    if (!parsed.ok) return message(ctx, invalidLink('verify'), 400);
    await render(ctx, 'verify-email', { token: parsed.data.token });
  });

  router.post('/verify-email', ...post, async function submitVerify(ctx) {
    const parsed = parse(tokenForm, formOf(ctx));
    if (!parsed.ok) return message(ctx, invalidLink('verify'), 400);
    try {
      await registration.verifyEmail(parsed.data.token);
    } catch (err) {
      if (err instanceof InvalidTokenError) return message(ctx, invalidLink('verify'), 400);
      throw err;
    }
    seeOther(ctx, '/account/verify-email/done');
  });

  router.get('/verify-email/done', async function verified(ctx) {
    await message(ctx, {
      title: 'Email address confirmed',
      message: 'Thank you: your address is confirmed.',
      hint: 'Go back to the application you were using and sign in.',
    });
  });

  router.get('/verify-email/resend', csrfToken(), async function showResend(ctx) {
    await render(ctx, 'verify-email-resend', { email: '', returnTo: returnToOf(ctx) });
  });

  router.post('/verify-email/resend', ...post, async function submitResend(ctx) {
    const form = formOf(ctx);
    const view = { email: form.email ?? '', returnTo: returnTo.parse(form.return_to) };
    const parsed = parse(emailForm, form);
    if (!parsed.ok) return render(ctx, 'verify-email-resend', { ...view, error: parsed.message }, 400);
    try {
      await registration.resendVerification(parsed.data.email, ctx.ip);
      seeOther(ctx, withReturnTo('/account/verify-email/sent', parsed.data.return_to));
    } catch (err) {
      await renderFailure(ctx, render, err, 'verify-email-resend', view);
    }
  });

  router.get('/verify-email/sent', async function resendDone(ctx) {
    await message(ctx, {
      title: 'Check your mail',
      message: 'If that address has an account waiting for confirmation, we sent it a new link.',
      hint: `The link lasts ${VERIFY_LIFETIME}; older links no longer work. No mail? Check your spam folder.`,
      returnTo: returnToOf(ctx),
    });
  });
}
