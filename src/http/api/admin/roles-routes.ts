// /api/v1/admin/roles: roles and their permissions (API.md).
import { z } from 'zod';
import { RoleBuiltInError, RoleExistsError, RoleInUseError, RoleNotFoundError } from '../../../errors.ts';
import type { RoleService } from '../../../services/roles.ts';
import { adminRoute, type ApiRoute } from '../route.ts';
import { permissionField, roleNameField, roleSchema, toRole } from './admin-schemas.ts';

const TAG = 'admin';
const nameParams = z.object({ name: z.string().min(1).max(64) });
const permissions = z.array(permissionField).max(200);
const description = z.string().trim().max(500);

export function adminRolesRoutes(deps: { roles: RoleService }): ApiRoute[] {
  const { roles } = deps;
  return [
    adminRoute('*', {
      method: 'get', path: '/api/v1/admin/roles', tag: TAG, operationId: 'adminListRoles',
      summary: 'Every role, by name',
      description: 'Needs any admin:* permission. The built-in roles: `user` (no permissions) and `admin` (every admin:* permission).',
      responses: { 200: { description: 'The roles', schema: z.object({ items: z.array(roleSchema) }) } },
      async handle() {
        return { status: 200, body: { items: (await roles.list()).map(toRole) } };
      },
    }),

    adminRoute<undefined, undefined, { name: string; description?: string; permissions: string[] }>('roles:write', {
      method: 'post', path: '/api/v1/admin/roles', tag: TAG, operationId: 'adminCreateRole',
      summary: 'Create a role',
      body: z.strictObject({ name: roleNameField, description: description.optional(), permissions }),
      responses: { 201: { description: 'Created', schema: roleSchema } },
      errors: [RoleExistsError],
      async handle({ body }) {
        const role = await roles.create({ name: body.name, description: body.description ?? '', permissions: body.permissions });
        return { status: 201, body: toRole(role) };
      },
    }),

    adminRoute<{ name: string }, undefined, { description?: string; permissions?: string[] }>('roles:write', {
      method: 'patch', path: '/api/v1/admin/roles/:name', tag: TAG, operationId: 'adminUpdateRole',
      summary: 'Change a role\'s description or permissions',
      description: 'Takes effect on the next admin request of everyone holding the role; tokens already issued keep the claims they carry.',
      params: nameParams,
      body: z.strictObject({ description: description.optional(), permissions: permissions.optional() }),
      responses: { 200: { description: 'The role', schema: roleSchema } },
      errors: [RoleNotFoundError, RoleBuiltInError],
      async handle({ params, body }) {
        return { status: 200, body: toRole(await roles.update(params.name, body)) };
      },
    }),

    adminRoute<{ name: string }>('roles:write', {
      method: 'delete', path: '/api/v1/admin/roles/:name', tag: TAG, operationId: 'adminDeleteRole',
      summary: 'Delete a role no account or client holds',
      params: nameParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [RoleNotFoundError, RoleBuiltInError, RoleInUseError],
      async handle({ params }) {
        await roles.delete(params.name);
        return { status: 204 };
      },
    }),
  ];
}
