// Verification, reset and invitation tokens, stored as hashes.

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
