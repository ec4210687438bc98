// Sign-ins: one record per session, the `sid` of its tokens.

import type { Account } from './accounts.ts';

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
  /** How the session was signed in (RFC 8176: `pwd`, `otp`, `mfa`…); empty for sessions stored before it was recorded. */
  amr: string[];
}

/** `amr` absent or empty: the stored one is kept (a browser session saved on every request). */
export type NewSession = Omit<SessionRecord, 'createdAt' | 'lastActiveAt' | 'revokedAt' | 'amr'> & { amr?: string[] };

export interface SessionStore {
  /**
   * Insert a session; when the id exists and is not revoked, set
   * lastActiveAt = now and move expiresAt to the later of the stored and
   * given one instead (browser sessions are saved on every request, and
   * extend() may have moved it past the browser session's own end). A
   * revoked session is never revived. A non-empty `amr` replaces the
   * stored one (a browser session signed in again with a second factor).
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
  /** How many sessions are live at `now`, of every account (the admin dashboard). */
  countLive(now: Date): Promise<number>;
  /** Set lastActiveAt = now on a live session; no error when missing. */
  touch(id: string, now: Date): Promise<void>;
  /** Revoke one live session of this account; false when missing, already revoked, expired or another account's. */
  revoke(id: string, accountId: string, now: Date): Promise<boolean>;
  /** Revoke every live session of the account except `exceptId`; returns the ids revoked. */
  revokeAllForAccount(accountId: string, now: Date, exceptId?: string): Promise<string[]>;
  /** Delete sessions that expired or were revoked at or before `before`; returns how many. */
  deleteExpired(before: Date): Promise<number>;
}
