// The mfa_token: a sign-in whose first steps passed and that waits for a
// second factor. Random (256 bits), stored as its SHA-256 only, single use,
// 5 minutes, bound to the account and to what the sign-in carries (its
// client, the steps passed, the grant's parameters).
import { createHash, randomBytes } from 'node:crypto';
import type { FactorStore } from '../../storage/ports.ts';

export const MFA_TOKEN_TTL_SECONDS = 300;

/** Where the sign-in stood when it stopped for the second factor. */
export interface PendingSignInContext {
  /** The sign-in steps passed so far, and what they proved (RFC 8176). */
  completed: string[];
  amr: string[];
  /** The OAuth client the sign-in is for: the token is refused to any other. */
  clientId: string | null;
  /** What the surface needs to finish (the grant's scope, remember_me); never a secret. */
  carry: Record<string, string>;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
/** What binds a WebAuthn challenge to the mfa_token it answers (never the token itself). */
export const pendingTokenHash = hashOf;

export function createPendingSignIns(factors: Pick<FactorStore, 'insertPendingSignIn' | 'findPendingSignIn' | 'consumePendingSignIn'>) {
  return {
    async start(accountId: string, context: PendingSignInContext, now = new Date()): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await factors.insertPendingSignIn({
        hash: hashOf(token), accountId, context: { ...context }, expiresAt: new Date(now.getTime() + MFA_TOKEN_TTL_SECONDS * 1000),
      });
      return token;
    },
    /** The live pending sign-in, or undefined. */
    async find(token: string): Promise<{ accountId: string; context: PendingSignInContext } | undefined> {
      const found = await factors.findPendingSignIn(hashOf(token), new Date());
      return found && { accountId: found.accountId, context: found.context as unknown as PendingSignInContext };
    },
    /** Use the token up: true for exactly one caller. */
    async consume(token: string): Promise<boolean> {
      return (await factors.consumePendingSignIn(hashOf(token), new Date())) !== undefined;
    },
  };
}

export type PendingSignIns = ReturnType<typeof createPendingSignIns>;
