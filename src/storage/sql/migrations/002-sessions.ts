import type { Migration } from './index.ts';

// Only string values are copied, as stringField() does on upsert.
const copied = (key: string) => `case when jsonb_typeof(payload->'${key}') = 'string' then payload->>'${key}' end`;

export const sessions: Migration = {
  id: '002-sessions',
  statements: [
    // Lookup columns for ending a sign-in or an account (revokeBySessionUid,
    // revokeByAccountId), copied out of the payload on upsert like grant_id.
    `alter table oidc_payloads add column account_id text, add column session_uid text`,
    `update oidc_payloads set account_id = ${copied('accountId')}, session_uid = ${copied('sessionUid')}
     where jsonb_typeof(payload->'accountId') = 'string' or jsonb_typeof(payload->'sessionUid') = 'string'`,
    `create index oidc_payloads_account_id_idx on oidc_payloads (account_id) where account_id is not null`,
    `create index oidc_payloads_session_uid_idx on oidc_payloads (session_uid) where session_uid is not null`,

    // One row per sign-in; the id is oidc-provider's sessionUid (the `sid` claim).
    `create table sessions (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      kind text not null constraint sessions_kind_check check (kind in ('api', 'browser')),
      client_id text,
      device_name text,
      device_type text,
      user_agent text,
      ip_address text,
      created_at timestamptz not null,
      last_active_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`,
    `create index sessions_account_id_idx on sessions (account_id)`,
    // For the periodic purge (expired or revoked).
    `create index sessions_expires_at_idx on sessions (expires_at)`,
    `create index sessions_revoked_at_idx on sessions (revoked_at) where revoked_at is not null`,

    // Reset and verification tokens, kept only as SHA-256 hashes.
    `create table one_time_tokens (
      hash text primary key,
      account_id text not null references accounts (id) on delete cascade,
      purpose text not null constraint one_time_tokens_purpose_check check (purpose in ('verify-email', 'reset-password')),
      expires_at timestamptz not null,
      consumed_at timestamptz,
      created_at timestamptz not null default now()
    )`,
    `create index one_time_tokens_account_id_purpose_idx on one_time_tokens (account_id, purpose)`,
    `create index one_time_tokens_expires_at_idx on one_time_tokens (expires_at)`,

    // rate-limiter-flexible's RateLimiterPostgres layout (its _getCreateTableStmt),
    // created here so limiters run with tableCreated: true and never issue DDL.
    `create table rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`,
  ],
};
