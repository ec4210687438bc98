// The storage ports. Everything outside src/storage depends on these types
// only; each backend (sql/, later mongodb/) implements all of them and is held
// to the same behaviour by test/contract/.
//
// Error contract: methods reject with a StoreError subclass from
// src/errors.ts for the domain failures named in their comment, and with the
// driver's own error for anything else (the HTTP layer maps those to 500/503).

import type { RateLimiterAbstract } from 'rate-limiter-flexible';

/** A payload as oidc-provider hands it to its adapter (opaque JSON object). */
export type OidcPayload = Record<string, unknown>;

export interface OidcRecord {
  payload: OidcPayload;
  /** When the record was consumed (single-use codes, rotated refresh tokens). */
  consumedAt: Date | null;
  expiresAt: Date | null;
}

export interface OidcStore {
  /** Insert or replace (model, id); `grantId`, `uid`, `userCode` are read from the payload. */
  upsert(model: string, id: string, payload: OidcPayload, expiresAt: Date | null): Promise<void>;
  /** The live record, or undefined when missing or expired. */
  find(model: string, id: string): Promise<OidcRecord | undefined>;
  /** The live record whose payload.uid is `uid`, or undefined. */
  findByUid(model: string, uid: string): Promise<OidcRecord | undefined>;
  /** The live record whose payload.userCode is `userCode`, or undefined. */
  findByUserCode(model: string, userCode: string): Promise<OidcRecord | undefined>;
  /** Atomically mark consumed: true for exactly one caller, false if already consumed, missing or expired. */
  consume(model: string, id: string): Promise<boolean>;
  /** Delete (model, id); no error when missing. */
  destroy(model: string, id: string): Promise<void>;
  /** Delete the records carrying this grantId, of one model or (no model) of every model; returns how many. */
  revokeByGrantId(grantId: string, model?: string): Promise<number>;
  /**
   * End one sign-in: delete every record of every grant that has a record
   * carrying `payload.sessionUid === sessionUid` (codes, tokens), those Grant
   * records, and the Session record whose `payload.uid` is sessionUid.
   * Returns how many records were deleted.
   */
  revokeBySessionUid(sessionUid: string): Promise<number>;
  /**
   * What is still alive of these sign-ins: for each sessionUid given, whether
   * a live Session record has it as `payload.uid` (still signed in), and the
   * distinct `payload.clientId`s of the live records carrying it as
   * `payload.sessionUid` (codes and tokens: the clients holding grants from it).
   */
  listSessionHoldings(sessionUids: string[]): Promise<SessionHolding[]>;
  /** Delete every record (grants, codes, tokens) whose `payload.clientId` is clientId; returns how many. */
  revokeByClientId(clientId: string): Promise<number>;
  /** Delete every record whose `payload.accountId` is accountId (sessions, grants, codes, tokens); returns how many. */
  revokeByAccountId(accountId: string): Promise<number>;
  /** Delete records whose expiry is at or before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

export interface SessionHolding {
  sessionUid: string;
  signedIn: boolean;
  clientIds: string[];
}

/** A role's name: any stored role (see RoleStore); `user` and `admin` are built in. */
export type Role = string;

export interface Account {
  id: string;
  /** Normalised (see normalizeEmail); unique. */
  email: string;
  emailVerified: boolean;
  name: string | null;
  role: Role;
  passwordHash: string;
  /** A disabled account cannot sign in by any route; its sessions were revoked when it was disabled. */
  disabled: boolean;
  lastSignInAt: Date | null;
  /** Until when some sign-in source is locked out of the account (rate limits); null or past: not locked. */
  lockedUntil: Date | null;
  /** Part of every rate-limit key of the account: raising it (unlock) lifts every lock at once. */
  lockGeneration: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  role: Role;
  passwordHash: string;
  disabled?: boolean;
}

export interface AccountPatch {
  name?: string | null;
  emailVerified?: boolean;
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
}

export type AccountStatus = 'active' | 'disabled' | 'locked';

export interface AccountListQuery {
  /** Email or name contains this, case-insensitively. */
  q?: string;
  role?: Role;
  /** disabled: disabled; locked: lockedUntil > now; active: neither. */
  status?: AccountStatus;
  now: Date;
  limit: number;
  /** Continue after this account (order: createdAt descending, then id descending). */
  after?: { createdAt: Date; id: string };
}

export interface AccountWriteOptions {
  /**
   * Refuse with LastAdminError when, after this write, no enabled account
   * would have the `admin` role; decided atomically with the write, so two
   * admins demoting each other at once cannot both succeed.
   */
  keepAnAdmin?: boolean;
}

export interface AccountStore {
  /** Insert; rejects with EmailExistsError when the (normalised) email is taken, also under concurrency. */
  insert(account: NewAccount): Promise<Account>;
  /** The account, or undefined. */
  findById(id: string): Promise<Account | undefined>;
  /** The account with this already-normalised email, or undefined. */
  findByEmail(email: string): Promise<Account | undefined>;
  /** A page of accounts, newest first. */
  list(query: AccountListQuery): Promise<Account[]>;
  /** Apply the patch and bump updatedAt; undefined when the account does not exist. LastAdminError: see options. */
  update(id: string, patch: AccountPatch, options?: AccountWriteOptions): Promise<Account | undefined>;
  /** Set lastSignInAt (no updatedAt bump). */
  recordSignIn(id: string, at: Date): Promise<void>;
  /** Move lockedUntil to `until` when later, unless the lock generation has moved on (an unlock raced the lock). */
  markLocked(id: string, lockGeneration: number, until: Date): Promise<void>;
  /** Raise lockGeneration and clear lockedUntil in one write; undefined when the account does not exist. */
  unlock(id: string): Promise<Account | undefined>;
  /** Delete the account with its sessions and one-time tokens (not its OIDC records: see OidcStore.revokeByAccountId); true when something was deleted. LastAdminError: see options. */
  delete(id: string, options?: AccountWriteOptions): Promise<boolean>;
}

// ---- Roles (administration) -------------------------------------------------

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

// ---- end of roles -----------------------------------------------------------

// ---- Clients (admin API, file-managed clients, secret rotation) ----

/**
 * Where a client comes from: the server itself (the first-party API client),
 * CLIENTS_FILE (the file stays its truth), or the admin API.
 */
export type ClientSource = 'builtin' | 'file' | 'api';

/** A rotated-out secret that still authenticates until expiresAt; `secret` is in its stored (hashed) form. */
export interface PreviousClientSecret {
  secret: string;
  expiresAt: Date;
}

export interface ClientWrite {
  clientId: string;
  /** RFC 7591 metadata as oidc-provider reads it, plus Gatehouse's flags (`first_party`…). */
  metadata: Record<string, unknown>;
  /** Default 'api'. */
  source?: ClientSource;
  /** Default none. */
  previousSecret?: PreviousClientSecret | null;
}

export interface ClientRecord {
  clientId: string;
  metadata: Record<string, unknown>;
  source: ClientSource;
  previousSecret: PreviousClientSecret | null;
  /** Bumped by every update: a read-modify-write applies only to the revision it read. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClientChange {
  metadata: Record<string, unknown>;
  /** Replaced when given (null removes it); kept when absent. */
  previousSecret?: PreviousClientSecret | null;
  /** Apply only if the stored revision is still this one (another write came between: nothing changes). */
  ifRevision?: number;
}

export interface ClientPage {
  /** Return clients whose clientId sorts after this one (code-unit order). */
  after?: string;
  limit: number;
}

export interface ClientStore {
  /** Insert, or replace metadata, source and previous secret (createdAt kept). */
  upsert(client: ClientWrite): Promise<void>;
  /** Insert; false when the clientId is taken (the primary key decides, also under concurrency). */
  insert(client: ClientWrite): Promise<boolean>;
  /**
   * Change an existing client, bump its revision and updatedAt, in one
   * conditional statement; false when it does not exist (never recreates a
   * deleted client) or its revision is no longer `ifRevision`.
   */
  update(clientId: string, change: ClientChange): Promise<boolean>;
  /** The client, or undefined. */
  find(clientId: string): Promise<ClientRecord | undefined>;
  /** Every client, ordered by clientId. */
  findAll(): Promise<ClientRecord[]>;
  /** At most `limit` clients after `after`, ordered by clientId (code-unit order). */
  list(page: ClientPage): Promise<ClientRecord[]>;
  /** Delete; true when something was deleted. */
  delete(clientId: string): Promise<boolean>;
}

/**
 * A change feed shared by every instance on the database: one version per
 * topic ('clients'…), bumped by each write of that topic's data. Instances
 * poll the versions and drop what they cached when one moves.
 */
export interface ChangeStore {
  /** Atomically add one to the topic's version (created at 1); returns the new version. */
  increment(topic: string): Promise<number>;
  /** The versions of these topics; a topic never incremented is 0. */
  findVersions(topics: readonly string[]): Promise<Record<string, number>>;
}

// ---- end of clients ----

/** Kinds of server secret kept in the store. */
/** `audit-key`: the key of audit identifier hashes when ENCRYPTION_KEY is unset (services/audit-identifier.ts). */
export type SecretKind = 'signing-key' | 'cookie-key' | 'audit-key';

export interface SecretRecord {
  id: string;
  kind: SecretKind;
  /** A private JWK for signing keys, `{ value }` for cookie keys. */
  material: Record<string, unknown>;
  createdAt: Date;
}

export interface SecretStore {
  /** Insert unless the id exists; true when inserted. A fixed id makes first-start generation race-free across processes. */
  insert(secret: Omit<SecretRecord, 'createdAt'>): Promise<boolean>;
  /** Secrets of a kind, newest first (the first one signs, the rest still verify). */
  findByKind(kind: SecretKind): Promise<SecretRecord[]>;
  /** Replace the material of an existing secret (kind, createdAt and order kept); true when it exists. */
  update(id: string, material: Record<string, unknown>): Promise<boolean>;
  /** Delete; true when something was deleted. */
  delete(id: string): Promise<boolean>;
}

/** How a session began: the password grant / JSON login, or a browser login through the pages. */
export type SessionKind = 'api' | 'browser';

export interface SessionRecord {
  /** The `sid` of every token issued from this sign-in (oidc-provider's sessionUid). */
  id: string;
  accountId: string;
  kind: SessionKind;
  /** The client signed in to (api sessions); null for browser sessions. */
  clientId: string | null;
  deviceName: string | null;
  deviceType: string | null;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export type NewSession = Omit<SessionRecord, 'createdAt' | 'lastActiveAt' | 'revokedAt'>;

export interface SessionStore {
  /**
   * Insert a session; when the id exists and is not revoked, set
   * lastActiveAt = now and move expiresAt to the later of the stored and
   * given one instead (browser sessions are saved on every request, and
   * extend() may have moved it past the browser session's own end). A
   * revoked session is never revived.
   */
  upsert(session: NewSession, now: Date): Promise<void>;
  /** Move a non-revoked session's expiresAt to `expiresAt` when that is later; no error when missing. */
  extend(id: string, expiresAt: Date): Promise<void>;
  /** The session when it exists, is not revoked and expiresAt > now; else undefined. */
  findLive(id: string, now: Date): Promise<SessionRecord | undefined>;
  /**
   * findLive and the session's account together: the bearer check of every
   * /api/v1 request, one round trip on SQL. Undefined when either is missing.
   */
  findLiveWithAccount(id: string, now: Date): Promise<{ session: SessionRecord; account: Account } | undefined>;
  /** The account's live sessions, newest first. */
  findLiveByAccount(accountId: string, now: Date): Promise<SessionRecord[]>;
  /** Set lastActiveAt = now on a live session; no error when missing. */
  touch(id: string, now: Date): Promise<void>;
  /** Revoke one live session of this account; false when missing, already revoked, expired or another account's. */
  revoke(id: string, accountId: string, now: Date): Promise<boolean>;
  /** Revoke every live session of the account except `exceptId`; returns the ids revoked. */
  revokeAllForAccount(accountId: string, now: Date, exceptId?: string): Promise<string[]>;
  /** Delete sessions that expired or were revoked at or before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
}

export type OneTimeTokenPurpose = 'verify-email' | 'reset-password';

export interface NewOneTimeToken {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  hash: string;
  accountId: string;
  purpose: OneTimeTokenPurpose;
  expiresAt: Date;
}

export interface OneTimeTokenStore {
  /** Store a token and, atomically, delete the account's other tokens of this purpose (a new token voids the older ones). */
  insertReplacing(token: NewOneTimeToken): Promise<void>;
  /** The accountId of the token with this hash and purpose when unconsumed and expiresAt > now; else undefined. */
  findLive(hash: string, purpose: OneTimeTokenPurpose, now: Date): Promise<string | undefined>;
  /** Atomically mark consumed: the accountId for exactly one caller; undefined when unknown, used, expired or another purpose. */
  consume(hash: string, purpose: OneTimeTokenPurpose, now: Date): Promise<string | undefined>;
  /** Delete the account's unconsumed tokens of this purpose; returns how many. */
  deleteForAccount(accountId: string, purpose: OneTimeTokenPurpose): Promise<number>;
  /** Delete tokens that expired at or before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

/** One rate-limit rule; the store builds a rate-limiter-flexible limiter on its own backend. */
export interface RateLimitRule {
  /** Distinguishes the rules sharing the backend's storage. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Once points are used up, block for this long (0: until the window ends). */
  blockDurationSeconds?: number;
}

// ---- Audit events (audit branch) -------------------------------------------

export type AuditResult = 'success' | 'failure';
export type AuditActorType = 'user' | 'client' | 'system' | 'anonymous';

/** One security event. Append-only: nothing updates it, only the retention purge deletes it. */
export interface AuditEventRecord {
  id: string;
  at: Date;
  /** Dotted name (`sign_in`, `password.changed`, `admin.<operationId>`…; README lists them). */
  type: string;
  result: AuditResult;
  actorType: AuditActorType;
  actorId: string | null;
  /** The account the event is about; kept after the account is deleted. */
  subjectId: string | null;
  clientId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** The refusal code of a failure (INVALID_CREDENTIALS, FORBIDDEN…). */
  reason: string | null;
  /** JSON; never a secret (services/audit.ts). */
  details: Record<string, unknown>;
}

/** Every member narrows the list; since and until are inclusive. */
export interface AuditFilter {
  type?: string;
  actorId?: string;
  subjectId?: string;
  clientId?: string;
  result?: AuditResult;
  since?: Date;
  until?: Date;
}

/** The position of the last event of a page: the next page starts strictly after it, newest first. */
export interface AuditCursor {
  at: Date;
  id: string;
}

export interface AuditStore {
  /** Append one event (ids are unique; a duplicate id rejects). */
  insert(event: AuditEventRecord): Promise<void>;
  /** Up to `limit` matching events, newest first by (at, id), strictly after `after` in that order. */
  list(filter: AuditFilter, page: { limit: number; after?: AuditCursor }): Promise<AuditEventRecord[]>;
  /** The events about one account (subjectId), newest first, paged as list(). */
  listForSubject(subjectId: string, page: { limit: number; after?: AuditCursor }): Promise<AuditEventRecord[]>;
  /** Retention: delete events with at < `before`; returns how many. */
  deleteOlderThan(before: Date): Promise<number>;
}

// ---- end of audit events ----------------------------------------------------

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
  /** A limiter kept in this backend, so every worker process shares the counts. Build at start, not per request. */
  createRateLimiter(rule: RateLimitRule): RateLimiterAbstract;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Release connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
