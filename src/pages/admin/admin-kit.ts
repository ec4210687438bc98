// What every admin page shares: the guard of a page (the permission of the
// matching admin API route), the chain of a form post (CSRF, then a recent
// sign-in for destructive actions), and the audit event of each change,
// recorded as the admin API records it (`admin.<operationId>`) with the
// console named in its details.
import type { Context, Middleware } from 'koa';
import { AppError } from '../../errors.ts';
import type { AdminUsers } from '../../services/admin-users.ts';
import { userActor, type Audit } from '../../services/audit.ts';
import type { ClientAdmin } from '../../services/client-admin.ts';
import type { RoleService } from '../../services/roles.ts';
import type { KeyRing } from '../../oidc/key-ring.ts';
import type { SecretStore, SessionStore } from '../../storage/ports.ts';
import { csrfToken, requireCsrf } from '../csrf.ts';
import { formBody, formOf, type FormFields } from '../form-body.ts';
import type { Renderer } from '../render.ts';
import { grants } from '../../http/middleware/require-admin.ts';
import { requireRecentSignIn, type ConsoleState, type RequireConsole } from '../console/require-console.ts';

export interface AdminPagesDeps {
  requireConsole: RequireConsole;
  render: Renderer;
  adminUsers: AdminUsers;
  roles: RoleService;
  audit: Audit;
  clients: ClientAdmin;
  secrets: SecretStore;
  keys: Pick<KeyRing, 'refresh'>;
  sessions: Pick<SessionStore, 'countLive'>;
}

/** A destructive action asks for the password again when the sign-in is older than this (max_age). */
export const RECENT_SIGN_IN_SECONDS = 300;

export const consoleOf = (ctx: Context) => ctx.state.console as ConsoleState;

/** The console's sections and the permission each needs (the same as its list route's). */
const NAV: ReadonlyArray<readonly [string, string, string]> = [
  ['/admin', 'Dashboard', '*'],
  ['/admin/users', 'Users', 'users:read'],
  ['/admin/clients', 'Clients', 'clients:read'],
  ['/admin/roles', 'Roles', '*'],
  ['/admin/audit', 'Audit log', 'audit:read'],
  ['/admin/keys', 'Signing keys', '*'],
];

export interface AdminKit {
  /** A page: the console sign-in with `permission` (as the API route's), and a CSRF token for its forms. */
  page(permission: string): Middleware[];
  /** A form post: the same guard, the form parsed and CSRF-checked, and for destructive ones a recent sign-in. */
  post(permission: string, options?: { destructive?: boolean }): Middleware[];
  /** Run a change, recording `admin.<operationId>` success or failure as the API does. */
  audited<T>(ctx: Context, operationId: string, subjectId: string | null, run: () => Promise<T>): Promise<T>;
  /** Render an admin view with the layout's data (the signed-in account, what it may do). */
  show(ctx: Context, view: string, data: Record<string, unknown>, status?: number): Promise<void>;
}

/** A service's refusal the page shows (4xx AppError); anything else is a bug for the error handler. */
export function isShownRefusal(err: unknown): err is AppError {
  return err instanceof AppError && err.status >= 400 && err.status < 500;
}

/** Whether the form ticked its confirmation box (destructive actions). */
export const confirmed = (form: FormFields) => form.confirm === 'yes';

export function createAdminKit(deps: AdminPagesDeps): AdminKit {
  const { requireConsole, render, audit } = deps;
  return {
    page: (permission) => [requireConsole({ permission }), csrfToken()],
    post: (permission, options = {}) => [
      requireConsole({ permission }), formBody(), csrfToken(), requireCsrf(render),
      ...(options.destructive ? [requireRecentSignIn(RECENT_SIGN_IN_SECONDS)] : []),
    ],
    async audited(ctx, operationId, subjectId, run) {
      const { account, session } = consoleOf(ctx);
      let reason: string | undefined;
      try {
        return await run();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        reason = typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'INTERNAL';
        throw err;
      } finally {
        await audit.record({
          type: `admin.${operationId}`,
          result: reason === undefined ? 'success' : 'failure',
          reason: reason ?? null,
          actor: userActor(account.id),
          sessionId: session.id,
          subjectId,
          details: { via: 'console', method: ctx.method, route: ctx.path, fields: Object.keys(formOf(ctx)).filter((n) => n !== '_csrf').slice(0, 50) },
        });
      }
    },
    async show(ctx, view, data, status) {
      const { account, caller } = consoleOf(ctx);
      const nav = NAV.filter(([, , permission]) => grants(caller.permissions, permission)).map(([href, label]) => [href, label]);
      await render(ctx, view, { ...data, account, nav, may: (permission: string) => grants(caller.permissions, permission) }, status);
    },
  };
}
