// /admin/roles: roles and their permissions. Listing needs any admin
// permission, as GET /api/v1/admin/roles does; changes need roles:write.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { permissionField, roleNameField } from '../../http/api/admin/admin-schemas.ts';
import { isBuiltInRole } from '../../services/roles.ts';
import { ADMIN_PERMISSIONS } from '../../storage/ports.ts';
import { formOf, type FormFields } from '../form-body.ts';
import { addConfirmedAction } from './confirm.ts';
import { isShownRefusal, type AdminKit, type AdminPagesDeps } from './admin-kit.ts';

const SECTION = '/admin/roles';
const DONE: Record<string, string> = { created: 'The role was created.', saved: 'The role was saved.', deleted: 'The role was deleted.' };

interface RoleValues { name: string; description: string; admin: string[]; other: string }

function valuesOf(form: FormFields): RoleValues {
  return {
    name: (form.name ?? '').trim(),
    description: (form.description ?? '').trim(),
    // Each permission is its own checkbox: the form parser keeps one value per name.
    admin: ADMIN_PERMISSIONS.filter((p) => form[`perm_${p}`] === 'yes'),
    other: form.other_permissions ?? '',
  };
}

/** The permissions of the form, or the field errors that keep them from being saved. */
function check(values: RoleValues, withName: boolean): { permissions: string[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (withName && !roleNameField.safeParse(values.name).success) errors.name = 'A role name is a lower-case slug: a-z, 0-9, and - or _ between them.';
  if (values.description.length > 500) errors.description = 'The description must be at most 500 characters long.';
  const other = values.other.split(/\s+/).filter((p) => p !== '');
  const bad = other.find((p) => !permissionField.safeParse(p).success);
  if (bad !== undefined) errors.other_permissions = `“${bad.slice(0, 80)}” is not a permission: use resource:action, lower case (admin permissions are the boxes above).`;
  if (other.length + values.admin.length > 200) errors.other_permissions = 'A role has at most 200 permissions.';
  return { permissions: [...values.admin, ...other], errors };
}

export function addRolePages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  const { roles } = deps;
  const name = (ctx: Context) => String(ctx.params.name ?? '');
  const empty: RoleValues = { name: '', description: '', admin: [], other: '' };

  async function showList(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    await kit.show(ctx, 'admin-roles', {
      title: 'Roles', section: SECTION, roles: await roles.list(), adminPermissions: ADMIN_PERMISSIONS, values: empty,
      isBuiltIn: isBuiltInRole, done: DONE[String(ctx.query.done)], ...extra,
    }, status);
  }
  router.get(SECTION, ...kit.page('*'), (ctx) => showList(ctx));

  router.post(SECTION, ...kit.post('roles:write'), async function createRole(ctx) {
    const values = valuesOf(formOf(ctx));
    const { permissions, errors } = check(values, true);
    if (Object.keys(errors).length > 0) return showList(ctx, { values, errors }, 400);
    try {
      await kit.audited(ctx, 'adminCreateRole', null, () => roles.create({ name: values.name, description: values.description, permissions }));
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showList(ctx, { values, errors: { name: err.message } }, err.status);
    }
    ctx.status = 303;
    ctx.redirect(`${SECTION}/${encodeURIComponent(values.name)}?done=created`);
  });

  async function showRole(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    const role = await roles.get(name(ctx));
    const values: RoleValues = {
      name: role.name, description: role.description,
      admin: role.permissions.filter((p) => p.startsWith('admin:')), other: role.permissions.filter((p) => !p.startsWith('admin:')).join('\n'),
    };
    await kit.show(ctx, 'admin-role', {
      title: `Role ${role.name}`, section: SECTION, role, values, adminPermissions: ADMIN_PERMISSIONS,
      builtIn: isBuiltInRole(role.name), done: DONE[String(ctx.query.done)], ...extra,
    }, status);
  }
  router.get(`${SECTION}/:name`, ...kit.page('*'), (ctx) => showRole(ctx));

  router.post(`${SECTION}/:name`, ...kit.post('roles:write'), async function updateRole(ctx) {
    const values = { ...valuesOf(formOf(ctx)), name: name(ctx) };
    const { permissions, errors } = check(values, false);
    if (Object.keys(errors).length > 0) return showRole(ctx, { values, errors }, 400);
    try {
      await kit.audited(ctx, 'adminUpdateRole', null, () => roles.update(name(ctx), { description: values.description, permissions }));
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showRole(ctx, { values, error: err.message }, err.status);
    }
    ctx.status = 303;
    ctx.redirect(`${SECTION}/${encodeURIComponent(name(ctx))}?done=saved`);
  });

  addConfirmedAction(router, kit, {
    path: `${SECTION}/:name/delete`, permission: 'roles:write', section: SECTION,
    async describe(ctx) {
      const role = await roles.get(name(ctx));
      return { title: `Delete the role ${role.name}`, message: 'Only a role no account or client holds can be deleted.', button: 'Delete the role', back: `${SECTION}/${encodeURIComponent(role.name)}` };
    },
    async run(ctx) {
      await kit.audited(ctx, 'adminDeleteRole', null, () => roles.delete(name(ctx)));
      return `${SECTION}?done=deleted`;
    },
  });
}
