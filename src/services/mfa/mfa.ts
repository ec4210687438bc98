// Multi-factor authentication as the other layers see it: the user's factors
// (factors.ts), the check at sign-in (second-factor.ts) and the mfa_tokens of
// sign-ins waiting for it (pending-sign-ins.ts).
import { InvalidMfaTokenError, type MfaChallengeBody } from '../../errors.ts';
import type { FactorStore } from '../../storage/ports.ts';
import type { AccountEmails } from '../account-emails.ts';
import type { AccountService } from '../accounts.ts';
import type { Audit } from '../audit.ts';
import type { RateLimits } from '../rate-limits.ts';
import { createMfaFactors, type MfaFactors } from './factors.ts';
import { createPendingSignIns, MFA_TOKEN_TTL_SECONDS, pendingTokenHash, type PendingSignInContext, type PendingSignIns } from './pending-sign-ins.ts';
import { createSecondFactorCheck, type SecondFactorCheck } from './second-factor.ts';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createPasskeys, type Passkeys } from './passkeys.ts';
import { createWebauthn, type Webauthn, type WebauthnRelyingParty } from './webauthn.ts';

export interface Mfa extends MfaFactors {
  verify: SecondFactorCheck['verify'];
  pending: PendingSignIns;
  webauthn: Webauthn;
  /** Signing in with a passkey and no password. */
  passkeys: Passkeys;
  /** WebAuthn request options for the sign-in waiting on this mfa_token; InvalidMfaTokenError when it is not live. */
  webauthnOptions(mfaToken: string): ReturnType<Webauthn['secondFactorOptions']>;
  /** Stop a sign-in for its second factor: MFA_REQUIRED's `mfa` member, with a new mfa_token. */
  challenge(accountId: string, context: PendingSignInContext): Promise<MfaChallengeBody>;
}

export function createMfa(deps: {
  factors: FactorStore;
  accounts: Pick<AccountService, 'verifyPassword' | 'findById'>;
  rateLimits: Pick<RateLimits, 'reserveMfa' | 'liftMfaLock'>;
  audit: Pick<Audit, 'record'>;
  emails: Pick<AccountEmails, 'sendRecoveryCodeUsed'>;
  onMailError(err: unknown): void;
  issuer: string;
  rp: WebauthnRelyingParty;
  /** The passkey challenges' single-use record (passkeys.ts). */
  passkeyChallenges: RateLimiterAbstract;
  /** REQUIRE_EMAIL_VERIFICATION, which a passkey sign-in honours as the password's does. */
  requireEmailVerification: boolean;
}): Mfa {
  const managed = createMfaFactors(deps);
  const pending = createPendingSignIns(deps.factors);
  const webauthn = createWebauthn(deps);
  return {
    ...managed,
    verify: createSecondFactorCheck({ ...deps, webauthn }).verify,
    pending,
    webauthn,
    passkeys: createPasskeys({ ...deps, challenges: deps.passkeyChallenges }),
    async webauthnOptions(mfaToken) {
      const found = await pending.find(mfaToken);
      if (!found) throw new InvalidMfaTokenError();
      return webauthn.secondFactorOptions(found.accountId, pendingTokenHash(mfaToken));
    },
    async challenge(accountId, context) {
      const factors = await managed.activeFactors(accountId);
      return { token: await pending.start(accountId, context), expires_in: MFA_TOKEN_TTL_SECONDS, factors };
    },
  };
}
