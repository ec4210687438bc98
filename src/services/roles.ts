// Roles and their permissions (API.md, "Roles and permissions"). The built-in
// roles are answered from their definition in code (BUILT_IN_ROLES), whatever
// their stored rows say, so a permission added to `admin` later holds at once;
// they can be neither changed nor deleted.
import { RoleBuiltInError, RoleNotFoundError } from '../errors.ts';
import { BUILT_IN_ROLES, type RoleRecord, type RoleStore } from '../storage/ports.ts';

export type { RoleRecord } from '../storage/ports.ts';

const BUILT_IN = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));

export const isBuiltInRole = (name: string) => BUILT_IN.has(name);

/** The admin API's gate: a permission of the `admin:` family. */
export const isAdminPermission = (permission: string) => permission.startsWith('admin:');

export interface RoleService {
  list(): Promise<RoleRecord[]>;
  /** RoleNotFoundError when missing. */
  get(name: string): Promise<RoleRecord>;
  /** The role's permissions; none for a role that is not stored (an account can never be given one, but a client's metadata can name one). */
  permissionsOf(name: string): Promise<string[]>;
  /** RoleExistsError when taken. */
  create(role: RoleRecord): Promise<RoleRecord>;
  /** RoleBuiltInError, RoleNotFoundError. */
  update(name: string, patch: { description?: string; permissions?: string[] }): Promise<RoleRecord>;
  /** RoleBuiltInError, RoleNotFoundError, RoleInUseError. */
  delete(name: string): Promise<void>;
}

/** Permissions once each, in the order given. */
const distinct = (permissions: string[]) => [...new Set(permissions)];

export function createRoleService(store: RoleStore): RoleService {
  const builtIn = (name: string) => {
    const role = BUILT_IN.get(name);
    return role && { ...role, permissions: [...role.permissions] };
  };
  return {
    async list() {
      return (await store.list()).map((role) => builtIn(role.name) ?? role);
    },

    async get(name) {
      const role = builtIn(name) ?? (await store.find(name));
      if (!role) throw new RoleNotFoundError();
      return role;
    },

    async permissionsOf(name) {
      return builtIn(name)?.permissions ?? (await store.find(name))?.permissions ?? [];
    },

    create: (role) => store.insert({ ...role, permissions: distinct(role.permissions) }),

    async update(name, patch) {
      if (isBuiltInRole(name)) throw new RoleBuiltInError();
      const updated = await store.update(name, { ...patch, ...(patch.permissions && { permissions: distinct(patch.permissions) }) });
      if (!updated) throw new RoleNotFoundError();
      return updated;
    },

    async delete(name) {
      if (isBuiltInRole(name)) throw new RoleBuiltInError();
      if (!(await store.delete(name))) throw new RoleNotFoundError();
    },
  };
}
