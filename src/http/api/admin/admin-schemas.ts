// The admin API's own shapes (API.md): admin_user, role, and the role name
// and permission fields.
import { z } from 'zod';
import type { AdminUserView } from '../../../services/admin-users.ts';
import type { RoleRecord } from '../../../services/roles.ts';
import { ADMIN_PERMISSIONS } from '../../../storage/ports.ts';
import { toUser, userSchema } from '../schemas.ts';

const ADMIN = new Set<string>(ADMIN_PERMISSIONS);

export const roleNameField = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'must be a lower-case slug (a-z, 0-9, - and _ between them)')
  .meta({ example: 'support' });

export const permissionField = z
  .string()
  .max(128)
  .regex(/^[a-z0-9_-]+(?::[a-z0-9_-]+)+$/, 'must look like `resource:action` (lower case, colon-separated)')
  // A typo in an admin permission would grant nothing, silently.
  .refine((p) => !p.startsWith('admin:') || ADMIN.has(p), { message: `admin permissions are ${[...ADMIN].join(', ')}` })
  .meta({ example: 'reports:read' });

export const roleSchema = z
  .object({ name: z.string(), description: z.string(), permissions: z.array(z.string()) })
  .meta({ id: 'Role' });

export const adminUserSchema = userSchema
  .extend({
    disabled: z.boolean(),
    locked: z.boolean().describe('Some sign-in source is locked out of the account by the rate limits right now'),
    mfa: z.array(z.object({ id: z.string(), type: z.string() })).meta({ example: [] }),
    last_sign_in_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AdminUser' });

export function toAdminUser(view: AdminUserView): z.input<typeof adminUserSchema> {
  const { account } = view;
  return {
    ...toUser(account, view.permissions),
    disabled: account.disabled,
    locked: view.locked,
    mfa: view.mfa,
    last_sign_in_at: account.lastSignInAt?.toISOString() ?? null,
  };
}

export const toRole = (role: RoleRecord): z.input<typeof roleSchema> => ({
  name: role.name, description: role.description, permissions: role.permissions,
});
