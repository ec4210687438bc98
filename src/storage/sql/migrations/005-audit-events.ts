import type { Migration } from './index.ts';

// Security events, append-only (AuditStore). No foreign key to accounts: the
// events of a deleted account, its deletion first, must outlive it.
export const auditEvents: Migration = {
  id: '005-audit-events',
  statements: [
    `create table audit_events (
      id text primary key,
      at timestamptz not null,
      type text not null,
      result text not null constraint audit_events_result_check check (result in ('success', 'failure')),
      actor_type text not null
        constraint audit_events_actor_type_check check (actor_type in ('user', 'client', 'system', 'anonymous')),
      actor_id text,
      subject_id text,
      client_id text,
      session_id text,
      ip text,
      user_agent text,
      reason text,
      details jsonb not null default '{}'::jsonb
    )`,
    // Pages run newest first on (at, id); every filter's index ends with the
    // same order so a filtered page is one index range scan. The at prefix
    // also serves the retention purge (at < cutoff).
    `create index audit_events_at_id_idx on audit_events (at desc, id desc)`,
    `create index audit_events_type_idx on audit_events (type, at desc, id desc)`,
    `create index audit_events_subject_idx on audit_events (subject_id, at desc, id desc) where subject_id is not null`,
    `create index audit_events_actor_idx on audit_events (actor_id, at desc, id desc) where actor_id is not null`,
    `create index audit_events_client_idx on audit_events (client_id, at desc, id desc) where client_id is not null`,
    `create index audit_events_result_idx on audit_events (result, at desc, id desc)`,
  ],
};
