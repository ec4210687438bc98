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
  /** The account's live Grant records (what it allowed each client), oldest first. */
  listGrantsOfAccount(accountId: string): Promise<AccountGrant[]>;
  /**
   * Withdraw what the account gave one client: delete every record carrying
   * both `payload.accountId` and `payload.clientId` (its Grant records, so
   * its consent too, and their codes and tokens); returns how many.
   */
  revokeAccountClient(accountId: string, clientId: string): Promise<number>;
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

/** A Grant record of an account: the client it is for and the scopes it holds. */
export interface AccountGrant {
  grantId: string;
  clientId: string;
  /** The scopes granted, OpenID and resource scopes together, without repeats. */
  scopes: string[];
  /** When the grant was made (payload.iat), or null when the record has none. */
  issuedAt: Date | null;
}

/** The AccountGrant of a stored Grant payload (both backends read the same JSON). */
export function accountGrantOf(grantId: string, payload: OidcPayload): AccountGrant | undefined {
  if (typeof payload.clientId !== 'string') return undefined;
  const scopes = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') for (const scope of value.split(' ')) if (scope) scopes.add(scope);
  };
  add((payload.openid as { scope?: unknown } | undefined)?.scope);
  const resources = payload.resources;
  if (resources && typeof resources === 'object') for (const value of Object.values(resources)) add(value);
  const iat = typeof payload.iat === 'number' ? new Date(payload.iat * 1000) : null;
  return { grantId, clientId: payload.clientId, scopes: [...scopes], issuedAt: iat };
}

/** Oldest first, then by id, so both backends list the same order. */
export function sortGrants(grants: AccountGrant[]): AccountGrant[] {
  return grants.sort((a, b) => (a.issuedAt?.getTime() ?? 0) - (b.issuedAt?.getTime() ?? 0) || a.grantId.localeCompare(b.grantId));
}
