import type { Migration } from './index.ts';

// Organizations, their memberships and invitations (OrganizationStore).
// Memberships go with their organization or their account (on delete
// cascade); the account services remove an account's memberships, and the
// organizations it solely owned, before the account itself (the cascade
// alone would leave those organizations without an owner).
export const organizations: Migration = {
  id: '008-organizations',
  statements: [
    `create table organizations (
      id text primary key,
      name text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`,
    // The admin list pages newest first.
    `create index organizations_created_idx on organizations (created_at desc, id)`,

    `create table organization_members (
      organization_id text not null references organizations (id) on delete cascade,
      account_id text not null references accounts (id) on delete cascade,
      role text not null constraint organization_members_role_check check (role in ('owner', 'admin', 'member')),
      joined_at timestamptz not null,
      primary key (organization_id, account_id)
    )`,
    `create index organization_members_account_idx on organization_members (account_id)`,

    `create table organization_invitations (
      id text primary key,
      organization_id text not null references organizations (id) on delete cascade,
      email text not null,
      role text not null constraint organization_invitations_role_check check (role in ('owner', 'admin', 'member')),
      hash text not null constraint organization_invitations_hash_key unique,
      invited_by text references accounts (id) on delete set null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      consumed_at timestamptz
    )`,
    `create index organization_invitations_org_idx on organization_invitations (organization_id, email)`,
    `create index organization_invitations_expires_idx on organization_invitations (expires_at)`,
  ],
};
