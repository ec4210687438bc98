import type { Migration } from './index.ts';

export const clientAdmin: Migration = {
  id: '006-client-admin',
  statements: [
    // Until now only CLIENTS_FILE and the server itself wrote clients, so
    // every existing row is a file client, except the built-in API client.
    `alter table clients add column source text not null default 'file'
       constraint clients_source_check check (source in ('builtin', 'file', 'api'))`,
    `alter table clients alter column source drop default`,
    `update clients set source = 'builtin' where client_id = 'gatehouse'`,
    // A rotated-out secret (hashed) that still authenticates until it expires.
    `alter table clients add column previous_secret text, add column previous_secret_expires_at timestamptz`,
    // Bumped by every update, so a read-modify-write (a PATCH racing a secret
    // rotation) cannot write back what it read over the other's change.
    `alter table clients add column revision bigint not null default 0`,

    // Deleting a client revokes its grants and tokens (revokeByClientId).
    `create index oidc_payloads_client_id_idx on oidc_payloads ((payload->>'clientId')) where payload ? 'clientId'`,

    // The change feed: one version per topic, bumped by each write of that topic.
    `create table change_versions (
      topic text primary key,
      version bigint not null
    )`,
  ],
};
