// The storage ports. Everything outside src/storage depends on these types
// only; each backend (sql/, later mongodb/) implements all of them and is held
// to the same behaviour by test/contract/.
//
// Error contract: methods reject with a StoreError subclass from
// src/errors.ts for the domain failures named in their comment, and with the
// driver's own error for anything else (the HTTP layer maps those to 500/503).

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
  /** Delete records whose expiry is at or before `now`; returns how many. */
  deleteExpired(now: Date): Promise<number>;
}

export type Role = 'user' | 'admin';

export interface Account {
  id: string;
  /** Normalised (see normalizeEmail); unique. */
  email: string;
  emailVerified: boolean;
  name: string | null;
  role: Role;
  passwordHash: string;
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
}

export interface AccountPatch {
  name?: string | null;
  emailVerified?: boolean;
  role?: Role;
  passwordHash?: string;
}

export interface AccountStore {
  /** Insert; rejects with EmailExistsError when the (normalised) email is taken, also under concurrency. */
  insert(account: NewAccount): Promise<Account>;
  /** The account, or undefined. */
  findById(id: string): Promise<Account | undefined>;
  /** The account with this already-normalised email, or undefined. */
  findByEmail(email: string): Promise<Account | undefined>;
  /** Apply the patch and bump updatedAt; undefined when the account does not exist. */
  update(id: string, patch: AccountPatch): Promise<Account | undefined>;
  /** Delete; true when something was deleted. */
  delete(id: string): Promise<boolean>;
}

export interface ClientRecord {
  clientId: string;
  /** RFC 7591 metadata as oidc-provider reads it, plus `first_party`. */
  metadata: Record<string, unknown>;
}

export interface ClientStore {
  /** Insert or replace the client's metadata. */
  upsert(client: ClientRecord): Promise<void>;
  /** The client, or undefined. */
  find(clientId: string): Promise<ClientRecord | undefined>;
  /** Every client, ordered by clientId. */
  findAll(): Promise<ClientRecord[]>;
  /** Delete; true when something was deleted. */
  delete(clientId: string): Promise<boolean>;
}

/** Kinds of server secret kept in the store. */
export type SecretKind = 'signing-key' | 'cookie-key';

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
  /** Delete; true when something was deleted. */
  delete(id: string): Promise<boolean>;
}

export interface Store {
  oidc: OidcStore;
  accounts: AccountStore;
  clients: ClientStore;
  secrets: SecretStore;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Release connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
