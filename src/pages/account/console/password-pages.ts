// Changing the password: the current one (checked as a sign-in attempt) and
// the new one (the password policy). A refusal is shown on its field.
import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError, WeakPasswordError, WrongPasswordError } from '../../../errors.ts';
import { passwordField } from '../../../fields.ts';
import type { AccountSettings } from '../../../services/account-settings.ts';
import { csrfToken } from '../../csrf.ts';
import { pageSignInSource } from '../../device-cookie.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

const passwordForm = z.object({
  current_password: z.string().min(1).max(256),
  new_password: passwordField,
});

type FieldErrors = Partial<Record<'current_password' | 'new_password', string>>;

/** Which field a refusal belongs to, in a form's words; undefined: not a field's (shown above the form). */
function fieldErrorsOf(refusal: z.ZodError | AppError, form: Record<string, string>): FieldErrors | undefined {
  if (refusal instanceof WrongPasswordError) return { current_password: 'This is not your current password.' };
  if (refusal instanceof WeakPasswordError) return { new_password: refusal.message };
  if (refusal instanceof AppError) return undefined;
  const errors: FieldErrors = {};
  for (const issue of refusal.issues) {
    const field = issue.path[0];
    if (field === 'current_password' && !errors.current_password) errors.current_password = 'Enter your current password.';
    if (field === 'new_password' && !errors.new_password) {
      errors.new_password = form.new_password ? 'The password must be at most 256 characters long.' : 'Enter a new password.';
    }
  }
  return errors;
}

export function addPasswordPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; settings: AccountSettings }): void {
  const { kit } = deps;
  router.get('/account/password', deps.requireConsole(), csrfToken(), async function showPasswordForm(ctx) {
    await kit.render(ctx, 'account-password', { current: 'password' });
  });

  router.post('/account/password', deps.requireConsole(), ...kit.pageForm({
    schema: passwordForm,
    view: 'account-password',
    values: () => ({ current: 'password' }),
    async onRefusal(ctx: Context, refusal) {
      const errors = fieldErrorsOf(refusal, (ctx.request as { body?: Record<string, string> }).body ?? {});
      if (!errors) return false;
      await kit.render(ctx, 'account-password', { current: 'password', errors }, refusal instanceof AppError ? refusal.status : 400);
      return true;
    },
    async onSuccess(ctx, form) {
      const { account, session } = consoleState(ctx);
      await deps.settings.changePassword(account, {
        currentPassword: form.current_password,
        newPassword: form.new_password,
        currentSessionId: session.id,
      }, pageSignInSource(ctx));
      return '/account/password?done=password';
    },
  }));
}
