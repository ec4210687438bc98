// The account console at /account: a signed-in person's own profile,
// password, sessions, connected apps, security activity and deletion.
import { Router } from '@koa/router';
import { csrfToken } from '../csrf.ts';
import type { Renderer } from '../render.ts';
import type { ConsoleState, RequireConsole } from '../console/require-console.ts';

export function createAccountConsoleRouter(deps: { requireConsole: RequireConsole; render: Renderer }): Router {
  const router = new Router();
  router.get('/account', deps.requireConsole(), csrfToken(), async function showAccountOverview(ctx) {
    const { account } = ctx.state.console as ConsoleState;
    await deps.render(ctx, 'console-placeholder', { title: 'Your account', account });
  });
  return router;
}
