// The login step. Every failure shows the same generic message so the page
// never tells whether an address has an account (the accounts service also
// spends the same time on both).
import type { Context } from 'koa';
import { formOf } from '../form-body.ts';
import { clientDisplayName } from './load.ts';
import { finishInteraction } from './finish.ts';
import type { InteractionDeps, InteractionDetails } from './types.ts';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password.';

interface LoginView {
  email?: string;
  error?: string;
  notVerified?: boolean;
}

export async function showLogin(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  view: LoginView = {},
  status = 200,
): Promise<void> {
  const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
  await deps.render(ctx, 'login', {
    uid: details.uid,
    clientName: await clientDisplayName(deps, details),
    email: view.email ?? hint,
    error: view.error,
    notVerified: view.notVerified === true,
  }, status);
}

export async function submitLogin(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  const { email = '', password = '' } = formOf(ctx);
  if (!email.trim() || !password) {
    await showLogin(ctx, deps, details, { email, error: 'Enter your email and password.' }, 400);
    return;
  }

  const result = await deps.accounts.authenticate(email, password, ctx.ip);

  if (!result.ok && result.reason === 'RATE_LIMITED') {
    ctx.set('Retry-After', String(result.retryAfterSeconds));
    const minutes = Math.ceil(result.retryAfterSeconds / 60);
    await showLogin(ctx, deps, details, {
      email,
      error: `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`,
    }, 429);
    return;
  }
  if (!result.ok) {
    const notVerified = result.reason === 'EMAIL_NOT_VERIFIED';
    await showLogin(ctx, deps, details, {
      email,
      notVerified,
      error: notVerified ? undefined : INVALID_CREDENTIALS_MESSAGE,
    }, notVerified ? 403 : 401);
    return;
  }

  // A fresh login replaces whatever an earlier submission carried.
  await finishInteraction(ctx, deps.provider, { login: { accountId: result.account.id } }, false);
}
