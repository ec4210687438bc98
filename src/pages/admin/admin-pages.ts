// The admin console at /admin: for accounts whose role grants an admin:*
// permission, signed in like the account console (src/pages/console/).
import { Router } from '@koa/router';
import { csrfToken } from '../csrf.ts';
import type { Renderer } from '../render.ts';
import type { ConsoleState, RequireConsole } from '../console/require-console.ts';

export function createAdminPagesRouter(deps: { requireConsole: RequireConsole; render: Renderer }): Router {
  const router = new Router();
  router.get('/admin', deps.requireConsole({ permission: '*' }), csrfToken(), async function showAdminHome(ctx) {
    const { account } = ctx.state.console as ConsoleState;
    await deps.render(ctx, 'console-placeholder', { title: 'Administration', account });
  });
  return router;
}
