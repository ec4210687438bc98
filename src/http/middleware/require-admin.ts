// The admin auth level (API.md, "Administration API"): the caller is an
// account signed in (a user's API token with a live session) or a client
// acting for itself (a client_credentials API token), and its role AS STORED
// NOW must grant the permission the route names. Nothing is taken from the
// token's own `role`/`permissions` claims: a demotion, a disabled account, a
// role's permissions changed, or a client's role removed take effect on the
// next request.
import type { Context } from 'koa';
import { ForbiddenError, UnauthenticatedError } from '../../errors.ts';
import { clientActor, setAuditActor } from '../../services/audit.ts';
import { isAdminPermission, type RoleService } from '../../services/roles.ts';
import type { Account, ClientStore, SessionRecord } from '../../storage/ports.ts';
import type { Auth, VerifyRequestToken } from './require-bearer.ts';

/** Who calls an admin route. */
export interface AdminCaller {
  type: 'user' | 'client';
  /** The account id or the client_id. */
  id: string;
  role: string;
  permissions: string[];
}

export interface AdminAuth {
  caller: AdminCaller;
  /** Set when the caller is an account. */
  account?: Account;
  session?: SessionRecord;
}

/** `permission` without the `admin:` prefix (`users:read`), or `*` for any admin:* permission. */
export type AuthenticateAdmin = (permission: string) => (ctx: Context) => Promise<AdminAuth>;

export function grants(permissions: readonly string[], permission: string): boolean {
  if (permission === '*') return permissions.some(isAdminPermission);
  return permissions.includes(`admin:${permission}`);
}

export function createAdminAuth(deps: {
  verify: VerifyRequestToken;
  liveSession: (claims: { accountId: string; sessionId: string }) => Promise<Auth>;
  clients: Pick<ClientStore, 'find'>;
  roles: Pick<RoleService, 'permissionsOf'>;
}): AuthenticateAdmin {
  async function callerOf(ctx: Context): Promise<AdminAuth> {
    const claims = await deps.verify(ctx);
    if (claims.kind === 'user') {
      const { account, session } = await deps.liveSession(claims);
      const permissions = await deps.roles.permissionsOf(account.role);
      return { caller: { type: 'user', id: account.id, role: account.role, permissions }, account, session };
    }
    // The client as stored now: deleted, it has no token worth honouring.
    const client = await deps.clients.find(claims.clientId);
    if (!client) throw new UnauthenticatedError('The client no longer exists.');
    // Named before any refusal below, so that refusal's audit event names it.
    setAuditActor(clientActor(client.clientId));
    const role = typeof client.metadata.role === 'string' ? client.metadata.role : undefined;
    if (role === undefined) throw new ForbiddenError('This client has no role.');
    return { caller: { type: 'client', id: client.clientId, role, permissions: await deps.roles.permissionsOf(role) } };
  }

  return (permission) => async function authenticateAdmin(ctx) {
    const auth = await callerOf(ctx);
    if (!grants(auth.caller.permissions, permission)) {
      throw new ForbiddenError(permission === '*' ? 'This needs an admin permission.' : `This needs the admin:${permission} permission.`);
    }
    return auth;
  };
}
