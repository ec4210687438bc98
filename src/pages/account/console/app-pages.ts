// Connected apps: the clients the account gave access to, and withdrawing it.
import type { Router } from '@koa/router';
import { z } from 'zod';
import { ClientNotFoundError } from '../../../errors.ts';
import type { ConnectedApps } from '../../../services/connected-apps.ts';
import { csrfToken } from '../../csrf.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

export function addAppPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; connectedApps: ConnectedApps }): void {
  const { kit } = deps;
  router.get('/account/apps', deps.requireConsole(), csrfToken(), async function showConnectedApps(ctx) {
    const apps = await deps.connectedApps.list(consoleState(ctx).account.id);
    await kit.render(ctx, 'account-apps', { current: 'apps', apps });
  });

  router.post('/account/apps/:clientId/revoke', deps.requireConsole(), ...kit.pageForm({
    schema: z.object({}),
    view: 'account-apps',
    values: () => ({ current: 'apps', apps: [] }),
    async onSuccess(ctx) {
      try {
        await deps.connectedApps.revoke(consoleState(ctx).account.id, ctx.params.clientId ?? '');
      } catch (err) {
        if (err instanceof ClientNotFoundError) return '/account/apps?done=app-gone';
        throw err;
      }
      return '/account/apps?done=app-revoked';
    },
  }));
}
