// Deleting the account: confirmed with the password, and only from a sign-in
// at most five minutes old (otherwise the login page asks again first).
import type { Router } from '@koa/router';
import { z } from 'zod';
import { AppError, WrongPasswordError } from '../../../errors.ts';
import type { AccountSettings } from '../../../services/account-settings.ts';
import { csrfToken } from '../../csrf.ts';
import { pageSignInSource } from '../../device-cookie.ts';
import { clearTokens } from '../../console/console-cookies.ts';
import { requireRecentSignIn, type RequireConsole } from '../../console/require-console.ts';
import type { Renderer } from '../../render.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

export const RECENT_SIGN_IN_SECONDS = 300;

export function addDeletePages(
  router: Router,
  deps: { kit: ConsoleKit; requireConsole: RequireConsole; settings: AccountSettings; render: Renderer },
): void {
  const { kit } = deps;
  const recent = requireRecentSignIn(RECENT_SIGN_IN_SECONDS);
  router.get('/account/delete', deps.requireConsole(), recent, csrfToken(), async function showDeleteForm(ctx) {
    await kit.render(ctx, 'account-delete', { current: 'delete' });
  });

  router.post('/account/delete', deps.requireConsole(), recent, ...kit.pageForm({
    schema: z.object({ password: z.string().min(1).max(256) }),
    view: 'account-delete',
    values: () => ({ current: 'delete' }),
    async onRefusal(ctx, refusal) {
      if (refusal instanceof AppError && !(refusal instanceof WrongPasswordError)) return false;
      const message = refusal instanceof WrongPasswordError ? 'This is not your password.' : 'Enter your password to confirm.';
      await kit.render(ctx, 'account-delete', { current: 'delete', passwordError: message }, refusal instanceof AppError ? refusal.status : 400);
      return true;
    },
    async onSuccess(ctx, { password }) {
      await deps.settings.deleteAccount(consoleState(ctx).account, password, pageSignInSource(ctx));
      clearTokens(ctx);
      return '/account/deleted';
    },
  }));

  // Signed out by then: a plain page.
  router.get('/account/deleted', async function showDeleted(ctx) {
    await deps.render(ctx, 'account-message', {
      title: 'Account deleted',
      message: 'Your account, its sessions and the access you gave apps are gone.',
    });
  });
}
