// oidc-provider's records (codes, tokens, grants, sessions, interactions) and
// what the session views read of them.

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
