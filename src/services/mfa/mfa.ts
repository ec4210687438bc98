// Multi-factor authentication as the other layers see it: the user's factors
// (factors.ts), the check at sign-in (second-factor.ts) and the mfa_tokens of
// sign-ins waiting for it (pending-sign-ins.ts).
import type { MfaChallengeBody } from '../../errors.ts';
import type { FactorStore } from '../../storage/ports.ts';
import type { AccountEmails } from '../account-emails.ts';
import type { AccountService } from '../accounts.ts';
import type { Audit } from '../audit.ts';
import type { RateLimits } from '../rate-limits.ts';
import { createMfaFactors, type MfaFactors } from './factors.ts';
import { createPendingSignIns, MFA_TOKEN_TTL_SECONDS, type PendingSignInContext, type PendingSignIns } from './pending-sign-ins.ts';
import { createSecondFactorCheck, type SecondFactorCheck } from './second-factor.ts';

export interface Mfa extends MfaFactors {
  verify: SecondFactorCheck['verify'];
  pending: PendingSignIns;
  /** Stop a sign-in for its second factor: MFA_REQUIRED's `mfa` member, with a new mfa_token. */
  challenge(accountId: string, context: PendingSignInContext): Promise<MfaChallengeBody>;
}

export function createMfa(deps: {
  factors: FactorStore;
  accounts: Pick<AccountService, 'verifyPassword'>;
  rateLimits: Pick<RateLimits, 'reserveMfa' | 'liftMfaLock'>;
  audit: Pick<Audit, 'record'>;
  emails: Pick<AccountEmails, 'sendRecoveryCodeUsed'>;
  onMailError(err: unknown): void;
  issuer: string;
}): Mfa {
  const managed = createMfaFactors(deps);
  const pending = createPendingSignIns(deps.factors);
  return {
    ...managed,
    verify: createSecondFactorCheck(deps).verify,
    pending,
    async challenge(accountId, context) {
      const factors = await managed.activeFactors(accountId);
      return { token: await pending.start(accountId, context), expires_in: MFA_TOKEN_TTL_SECONDS, factors };
    },
  };
}
