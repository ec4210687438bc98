// The account's sessions, each with the apps holding grants from it: sign
// one out, or every one but this.
import type { Router } from '@koa/router';
import { z } from 'zod';
import { SessionNotFoundError } from '../../../errors.ts';
import type { SessionService } from '../../../services/sessions.ts';
import { csrfToken } from '../../csrf.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

const nothing = z.object({});
const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function addSessionPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; sessions: SessionService }): void {
  const { kit } = deps;
  router.get('/account/sessions', deps.requireConsole(), csrfToken(), async function showSessions(ctx) {
    const { account, session } = consoleState(ctx);
    const sessions = await deps.sessions.list(account.id);
    // This browser's session first, then the most recently active.
    sessions.sort((a, b) => Number(b.id === session.id) - Number(a.id === session.id) || b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
    await kit.render(ctx, 'account-sessions', { current: 'sessions', sessions, currentId: session.id });
  });

  router.post('/account/sessions/others/revoke', deps.requireConsole(), ...kit.pageForm({
    schema: nothing,
    view: 'account-sessions',
    values: () => ({ current: 'sessions', sessions: [] }),
    async onSuccess(ctx) {
      const { account, session } = consoleState(ctx);
      await deps.sessions.revokeOthers(account.id, session.id);
      return '/account/sessions?done=others';
    },
  }));

  router.post('/account/sessions/:id/revoke', deps.requireConsole(), ...kit.pageForm({
    schema: nothing,
    view: 'account-sessions',
    values: () => ({ current: 'sessions', sessions: [] }),
    async onSuccess(ctx) {
      const { account, session } = consoleState(ctx);
      const id = ctx.params.id ?? '';
      // This session is ended by signing out (the header's button), which also forgets the cookie.
      if (!SESSION_ID.test(id) || id === session.id) return '/account/sessions?done=gone';
      try {
        await deps.sessions.revoke(account.id, id);
      } catch (err) {
        if (err instanceof SessionNotFoundError) return '/account/sessions?done=gone';
        throw err;
      }
      return '/account/sessions?done=revoked';
    },
  }));
}
