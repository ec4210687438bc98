// /admin/users: search, detail with sessions, and every change the admin
// API's user routes make, under the same permissions (users:read to look,
// users:write to change).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { formOf } from '../form-body.ts';
import { addConfirmedAction } from './confirm.ts';
import { isShownRefusal, type AdminKit, type AdminPagesDeps } from './admin-kit.ts';
import { roleNameField } from '../../http/api/admin/admin-schemas.ts';

const PAGE_SIZE = 50;
const SECTION = '/admin/users';

const listQuery = z.object({
  q: z.string().max(256).optional().catch(undefined),
  role: roleNameField.optional().catch(undefined),
  status: z.enum(['active', 'disabled', 'locked']).optional().catch(undefined),
  after: z.string().max(400).optional().catch(undefined),
});
const position = z.object({ c: z.iso.datetime(), i: z.string().max(128) });

const encode = (createdAt: Date, id: string) => Buffer.from(JSON.stringify({ c: createdAt.toISOString(), i: id })).toString('base64url');
function decode(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const p = position.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(p.c), id: p.i };
  } catch {
    return undefined;
  }
}

/** What a finished action says on the detail page (a fixed text: nothing from the request is echoed). */
const DONE: Record<string, string> = {
  role: 'The role was changed.', verified: 'The email address is marked verified.', reset: 'A password reset link was mailed.',
  unlocked: 'Every sign-in lock was lifted.', enabled: 'The account is enabled again.', disabled: 'The account is disabled; its sessions ended.',
  revoked: 'Every session of the account ended.', deleted: 'The account was deleted.',
};

export function addUserPages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  const { adminUsers } = deps;
  const id = (ctx: Context) => String(ctx.params.id ?? '');

  router.get(SECTION, ...kit.page('users:read'), async function listUsers(ctx) {
    const query = listQuery.parse(ctx.query);
    const found = await adminUsers.list({
      q: query.q || undefined, role: query.role || undefined, status: query.status, limit: PAGE_SIZE + 1, after: decode(query.after),
    });
    const users = found.slice(0, PAGE_SIZE);
    const last = users.at(-1);
    const next = found.length > PAGE_SIZE && last
      ? `?${new URLSearchParams({ ...(query.q && { q: query.q }), ...(query.role && { role: query.role }), ...(query.status && { status: query.status }), after: encode(last.account.createdAt, last.account.id) })}`
      : undefined;
    const roles = await deps.roles.list();
    await kit.show(ctx, 'admin-users', {
      title: 'Users', section: SECTION, users, query, roles, next, done: DONE[String(ctx.query.done)],
    });
  });

  async function showUser(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    const user = await adminUsers.get(id(ctx));
    const [sessions, roles] = await Promise.all([adminUsers.sessions(user.account.id), deps.roles.list()]);
    await kit.show(ctx, 'admin-user', {
      title: user.account.email, section: SECTION, user, sessions, roles, done: DONE[String(ctx.query.done)], ...extra,
    }, status);
  }

  router.get(`${SECTION}/:id`, ...kit.page('users:read'), (ctx) => showUser(ctx));

  /** A one-step change from the detail page; a service refusal shows there, tied to `field` when it has one. */
  function simpleAction(path: string, operationId: string, done: string, run: (ctx: Context) => Promise<unknown>, field?: string) {
    // Where a sign-in that ended before the post comes back to: the account's page.
    router.get(`${SECTION}/:id/${path}`, ...kit.page('users:read'), (ctx) => {
      ctx.status = 303;
      ctx.redirect(`${SECTION}/${encodeURIComponent(id(ctx))}`);
    });
    router.post(`${SECTION}/:id/${path}`, ...kit.post('users:write'), async function userAction(ctx) {
      try {
        await kit.audited(ctx, operationId, id(ctx), () => run(ctx));
      } catch (err) {
        if (!isShownRefusal(err)) throw err;
        return showUser(ctx, field ? { errors: { [field]: err.message } } : { error: err.message }, err.status);
      }
      ctx.status = 303;
      ctx.redirect(`${SECTION}/${encodeURIComponent(id(ctx))}?done=${done}`);
    });
  }

  simpleAction('role', 'adminUpdateUser', 'role', (ctx) => adminUsers.update(id(ctx), { role: String(formOf(ctx).role ?? '') }), 'role');
  simpleAction('verify', 'adminUpdateUser', 'verified', (ctx) => adminUsers.update(id(ctx), { emailVerified: true }));
  simpleAction('enable', 'adminUpdateUser', 'enabled', (ctx) => adminUsers.update(id(ctx), { disabled: false }));
  simpleAction('reset', 'adminSendPasswordReset', 'reset', (ctx) => adminUsers.sendPasswordReset(id(ctx)));
  simpleAction('unlock', 'adminUnlockUser', 'unlocked', (ctx) => adminUsers.unlock(id(ctx)));

  const describe = (title: string, message: string, button: string) => async (ctx: Context) => {
    const user = await adminUsers.get(id(ctx));
    return { title: `${title}: ${user.account.email}`, message, button, back: `${SECTION}/${encodeURIComponent(user.account.id)}` };
  };
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:id/disable`, permission: 'users:write', section: SECTION,
    describe: describe('Disable', 'Every session, grant and token of the account ends now, and it cannot sign in until enabled again.', 'Disable the account'),
    async run(ctx) {
      await kit.audited(ctx, 'adminUpdateUser', id(ctx), () => adminUsers.update(id(ctx), { disabled: true }));
      return `${SECTION}/${encodeURIComponent(id(ctx))}?done=disabled`;
    },
  });
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:id/revoke-sessions`, permission: 'users:write', section: SECTION,
    describe: describe('End every session', 'Every session, grant and token of the account ends now; it can sign in again.', 'End every session'),
    async run(ctx) {
      await kit.audited(ctx, 'adminRevokeUserSessions', id(ctx), () => adminUsers.revokeSessions(id(ctx)));
      return `${SECTION}/${encodeURIComponent(id(ctx))}?done=revoked`;
    },
  });
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:id/delete`, permission: 'users:write', section: SECTION,
    describe: describe('Delete', 'The account goes with its sessions, grants and tokens. This cannot be undone.', 'Delete the account'),
    async run(ctx) {
      await kit.audited(ctx, 'adminDeleteUser', id(ctx), () => adminUsers.delete(id(ctx)));
      return `${SECTION}?done=deleted`;
    },
  });
}
