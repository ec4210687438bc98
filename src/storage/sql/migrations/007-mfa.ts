import type { Migration } from './index.ts';

// Second factors, recovery codes and pending sign-ins (FactorStore). All go
// with their account (on delete cascade). Sessions record their amr.
export const mfa: Migration = {
  id: '007-mfa',
  statements: [
    `create table mfa_factors (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      type text not null constraint mfa_factors_type_check check (type in ('totp', 'webauthn')),
      name text not null,
      secret text,
      credential_id text,
      public_key text,
      counter bigint not null default 0,
      transports jsonb not null default '[]'::jsonb,
      confirmed_at timestamptz,
      last_used_at timestamptz,
      last_used_step bigint,
      created_at timestamptz not null
    )`,
    // The unique index decides between two registrations of one credential.
    `create unique index mfa_factors_credential_id_idx on mfa_factors (credential_id) where credential_id is not null`,
    `create index mfa_factors_account_idx on mfa_factors (account_id, created_at, id)`,
    `create index mfa_factors_pending_idx on mfa_factors (created_at) where confirmed_at is null`,

    `create table mfa_recovery_codes (
      account_id text not null references accounts (id) on delete cascade,
      hash text not null,
      used_at timestamptz,
      created_at timestamptz not null,
      primary key (account_id, hash)
    )`,

    `create table mfa_pending_sign_ins (
      hash text primary key,
      account_id text not null references accounts (id) on delete cascade,
      context jsonb not null,
      expires_at timestamptz not null,
      consumed_at timestamptz
    )`,
    `create index mfa_pending_sign_ins_account_idx on mfa_pending_sign_ins (account_id)`,
    `create index mfa_pending_sign_ins_expires_idx on mfa_pending_sign_ins (expires_at)`,

    // How each session was signed in (RFC 8176 amr values); unknown before.
    `alter table sessions add column amr jsonb not null default '[]'::jsonb`,
  ],
};
