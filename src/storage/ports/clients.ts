// OAuth clients (CLIENTS_FILE, the admin API, secret rotation) and the
// change feed that carries admin changes to every instance.

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
