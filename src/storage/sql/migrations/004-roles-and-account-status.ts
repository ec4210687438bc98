import type { Migration } from './index.ts';

// Literal, not read from BUILT_IN_ROLES: a released migration never changes.
// The roles service answers with the built-in roles' current definition, so
// a permission added later needs no data change.
const ADMIN = ['admin:users:read', 'admin:users:write', 'admin:clients:read', 'admin:clients:write', 'admin:roles:write',
  'admin:audit:read', 'admin:keys:write', 'admin:organizations:read', 'admin:organizations:write'];

export const rolesAndAccountStatus: Migration = {
  id: '004-roles-and-account-status',
  statements: [
    `create table roles (
      name text primary key,
      description text not null default '',
      permissions jsonb not null default '[]'::jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    // The built-in roles are rows too, so the foreign key below covers them.
    `insert into roles (name, description, permissions) values
      ('user', 'Every account''s default: no permissions.', '[]'),
      ('admin', 'Administers Gatehouse: every admin:* permission.', '${JSON.stringify(ADMIN)}')`,
    // An account's role is any stored role; the key, not a prior lookup,
    // refuses a role being deleted while someone is given it (and vice versa).
    `alter table accounts drop constraint accounts_role_check`,
    `alter table accounts add constraint accounts_role_fkey foreign key (role) references roles (name)`,
    `create index accounts_role_idx on accounts (role)`,
    `alter table accounts
      add column disabled boolean not null default false,
      add column last_sign_in_at timestamptz,
      add column locked_until timestamptz,
      add column lock_generation integer not null default 0`,
    // The admin list pages newest first.
    `create index accounts_created_at_id_idx on accounts (created_at desc, id collate "C" desc)`,
  ],
};
