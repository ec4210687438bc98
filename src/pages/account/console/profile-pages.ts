// The console's overview: who is signed in, and the profile they can edit.
// The account holds a name only (no picture yet), so that is what is shown.
import type { Router } from '@koa/router';
import { z } from 'zod';
import { nameField } from '../../../fields.ts';
import type { AccountSettings } from '../../../services/account-settings.ts';
import { csrfToken } from '../../csrf.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

const profileForm = z.object({ name: nameField.optional().transform((v) => v || null) });

export function addProfilePages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; settings: AccountSettings }): void {
  const { kit } = deps;
  router.get('/account', deps.requireConsole(), csrfToken(), async function showAccountOverview(ctx) {
    const { account, session } = consoleState(ctx);
    await kit.render(ctx, 'account-overview', { current: 'overview', account, session, name: account.name ?? '' });
  });

  router.post('/account/profile', deps.requireConsole(), ...kit.pageForm({
    schema: profileForm,
    view: 'account-overview',
    values: (form) => ({ current: 'overview', name: form.name ?? '' }),
    async onRefusal(ctx, refusal) {
      const { account, session } = consoleState(ctx);
      await kit.render(ctx, 'account-overview', {
        current: 'overview', account, session, name: String((ctx.request as { body?: Record<string, string> }).body?.name ?? ''),
        errors: { name: refusal instanceof z.ZodError ? 'The name must be at most 200 characters long.' : refusal.message },
      }, 400);
      return true;
    },
    async onSuccess(ctx, { name }) {
      await deps.settings.updateProfile(consoleState(ctx).account, { name });
      return '/account?done=profile';
    },
  }));
}
