// The storage ports, one file per port under ports/, gathered here with the
// Store they make up. Everything outside src/storage depends on these types
// only; each backend (sql/, mongodb/) implements all of them and is held to
// the same behaviour by test/contract/.
//
// Error contract: methods reject with a StoreError subclass from
// src/errors.ts for the domain failures named in their comment, and with the
// driver's own error for anything else (the HTTP layer maps those to 500/503).

import type { RateLimiterAbstract } from 'rate-limiter-flexible';

export * from './ports/oidc.ts';
export * from './ports/accounts.ts';
export * from './ports/roles.ts';
export * from './ports/clients.ts';
export * from './ports/secrets.ts';
export * from './ports/sessions.ts';
export * from './ports/one-time-tokens.ts';
export * from './ports/audit.ts';
export * from './ports/factors.ts';
export * from './ports/organizations.ts';
import type { OidcStore } from './ports/oidc.ts';
import type { AccountStore } from './ports/accounts.ts';
import type { RoleStore } from './ports/roles.ts';
import type { ChangeStore, ClientStore } from './ports/clients.ts';
import type { SecretStore } from './ports/secrets.ts';
import type { SessionStore } from './ports/sessions.ts';
import type { OneTimeTokenStore } from './ports/one-time-tokens.ts';
import type { AuditStore } from './ports/audit.ts';
import type { FactorStore } from './ports/factors.ts';
import type { OrganizationStore } from './ports/organizations.ts';

/** One rate-limit rule; the store builds a rate-limiter-flexible limiter on its own backend. */
export interface RateLimitRule {
  /** Distinguishes the rules sharing the backend's storage. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Once points are used up, block for this long (0: until the window ends). */
  blockDurationSeconds?: number;
}


export interface Store {
  oidc: OidcStore;
  accounts: AccountStore;
  roles: RoleStore;
  clients: ClientStore;
  changes: ChangeStore;
  secrets: SecretStore;
  sessions: SessionStore;
  oneTimeTokens: OneTimeTokenStore;
  audit: AuditStore;
  factors: FactorStore;
  organizations: OrganizationStore;
  /** A limiter kept in this backend, so every worker process shares the counts. Build at start, not per request. */
  createRateLimiter(rule: RateLimitRule): RateLimiterAbstract;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** A connection pool's use, where the backend has one Gatehouse sizes (PostgreSQL's pg.Pool); for the metrics. */
  connections?(): { inUse: number; waiting: number };
  /** Release connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
