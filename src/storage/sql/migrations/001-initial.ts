import type { Migration } from './index.ts';

export const initial: Migration = {
  id: '001-initial',
  statements: [
    `create table accounts (
      id text primary key,
      email text not null constraint accounts_email_key unique,
      email_verified boolean not null default false,
      name text,
      role text not null default 'user' constraint accounts_role_check check (role in ('user', 'admin')),
      password_hash text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,

    // One table for every oidc-provider model (the shape of its adapter
    // interface); the lookup columns are copied out of the payload on upsert.
    `create table oidc_payloads (
      model text not null,
      id text not null,
      payload jsonb not null,
      grant_id text,
      uid text,
      user_code text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (model, id)
    )`,
    `create index oidc_payloads_grant_id_idx on oidc_payloads (grant_id) where grant_id is not null`,
    `create unique index oidc_payloads_uid_key on oidc_payloads (model, uid) where uid is not null`,
    `create unique index oidc_payloads_user_code_key on oidc_payloads (model, user_code) where user_code is not null`,
    `create index oidc_payloads_expires_at_idx on oidc_payloads (expires_at) where expires_at is not null`,

    `create table clients (
      client_id text primary key,
      metadata jsonb not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,

    // seq breaks created_at ties: PGlite's clock has millisecond resolution, and
    // "newest first" decides which signing key signs.
    `create table secrets (
      id text primary key,
      kind text not null,
      material jsonb not null,
      created_at timestamptz not null default now(),
      seq bigint generated always as identity
    )`,
    `create index secrets_kind_created_at_idx on secrets (kind, created_at desc, seq desc)`,
  ],
};
