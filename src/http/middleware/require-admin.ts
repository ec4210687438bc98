// The admin auth level: a user's bearer check, then the permission the
// route names. Roles are `user` and `admin` today, and `admin` holds every
// permission; finer roles change hasPermission only.
import { ForbiddenError } from '../../errors.ts';
import type { Account } from '../../storage/ports.ts';
import type { Authenticate } from './require-bearer.ts';

export type AuthenticateAdmin = (permission: string) => Authenticate;

export function hasPermission(account: Pick<Account, 'role'>, _permission: string): boolean {
  return account.role === 'admin';
}

export function createAdminAuth(user: Authenticate): AuthenticateAdmin {
  return (permission) => async function authenticateAdmin(ctx) {
    const auth = await user(ctx);
    if (!hasPermission(auth.account, permission)) throw new ForbiddenError();
    return auth;
  };
}
