// Single-use tokens for email verification and password reset, after kratos'
// `useOneTimeCode`: 256 random bits handed to the user, only a SHA-256 hash
// stored (a database leak yields no usable link), bound to one purpose and one
// account, consumed by the store's single conditional update so two concurrent
// confirmations cannot both win. A plain hash suffices: the token is random,
// not a password, so there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';
import type { OneTimeTokenPurpose, OneTimeTokenStore } from '../storage/ports.ts';

export const ONE_TIME_TOKEN_TTL_SECONDS: Readonly<Record<OneTimeTokenPurpose, number>> = {
  'verify-email': 24 * 3600,
  'reset-password': 30 * 60,
};

/**
 * An administrator's invitation (POST /admin/users without a password) is a
 * reset-password token that lasts longer: the reset page sets the first
 * password, and a later reset request replaces it like any reset link.
 */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

export interface OneTimeTokens {
  /** A new token for the account, voiding its older tokens of the same purpose. */
  issue(accountId: string, purpose: OneTimeTokenPurpose, ttlSeconds?: number): Promise<string>;
  /** The account the token belongs to, without using it up; undefined when unusable. */
  peek(token: string, purpose: OneTimeTokenPurpose): Promise<string | undefined>;
  /** Use the token up: the accountId for exactly one caller, undefined otherwise. */
  consume(token: string, purpose: OneTimeTokenPurpose): Promise<string | undefined>;
  /** Void the account's outstanding tokens of this purpose. */
  voidAll(accountId: string, purpose: OneTimeTokenPurpose): Promise<void>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createOneTimeTokens(store: OneTimeTokenStore): OneTimeTokens {
  return {
    async issue(accountId, purpose, ttlSeconds = ONE_TIME_TOKEN_TTL_SECONDS[purpose]) {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      await store.insertReplacing({ hash: hashToken(token), accountId, purpose, expiresAt });
      return token;
    },
    peek: (token, purpose) => store.findLive(hashToken(token), purpose, new Date()),
    consume: (token, purpose) => store.consume(hashToken(token), purpose, new Date()),
    async voidAll(accountId, purpose) {
      await store.deleteForAccount(accountId, purpose);
    },
  };
}
