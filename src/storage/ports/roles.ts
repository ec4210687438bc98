// Roles and permissions (API.md, "Roles and permissions").

/** Every admin:* permission (API.md, "Roles and permissions"): what the built-in `admin` role holds. */
export const ADMIN_PERMISSIONS = [
  'admin:users:read',
  'admin:users:write',
  'admin:clients:read',
  'admin:clients:write',
  'admin:roles:write',
  'admin:audit:read',
  'admin:keys:write',
  'admin:organizations:read',
  'admin:organizations:write',
] as const;

/** Seeded by every backend at open; they can be neither changed nor deleted. */
export const BUILT_IN_ROLES: readonly RoleRecord[] = [
  { name: 'user', description: 'Every account\'s default: no permissions.', permissions: [] },
  { name: 'admin', description: 'Administers Gatehouse: every admin:* permission.', permissions: [...ADMIN_PERMISSIONS] },
];

export interface RoleRecord {
  name: string;
  description: string;
  permissions: string[];
}

export interface RoleStore {
  /** The role, or undefined. */
  find(name: string): Promise<RoleRecord | undefined>;
  /** Every role, ordered by name. */
  list(): Promise<RoleRecord[]>;
  /** Insert; RoleExistsError when the name is taken (built-in names included), also under concurrency. */
  insert(role: RoleRecord): Promise<RoleRecord>;
  /** Change description and/or permissions; undefined when missing. */
  update(name: string, patch: { description?: string; permissions?: string[] }): Promise<RoleRecord | undefined>;
  /**
   * Delete; false when missing. RoleInUseError when an account or a client
   * (metadata `role`) holds it; for accounts that check is atomic with the delete.
   */
  delete(name: string): Promise<boolean>;
  /** How many accounts and clients hold the role. */
  countHolders(name: string): Promise<{ accounts: number; clients: number }>;
}
