// Checking a second factor at sign-in: a TOTP code (each time step once) or a
// recovery code (each once). Every check takes a point of the account's MFA
// limit first (RateLimits.reserveMfa), so 5 wrong codes in 15 minutes lock
// MFA for the account whatever the concurrency; a correct code gives the
// count back. Every outcome is audited; a recovery code used is mailed to
// the owner, who may not have been the one using it.
import { InvalidMfaCodeError, InvalidMfaResponseError, RateLimitedError } from '../../errors.ts';
import type { Account, FactorStore } from '../../storage/ports.ts';
import type { AccountEmails } from '../account-emails.ts';
import { userActor, type Audit } from '../audit.ts';
import type { RateLimits } from '../rate-limits.ts';
import { deliverLater } from '../registration.ts';
import { hashRecoveryCode } from './recovery-codes.ts';
import { pendingTokenHash } from './pending-sign-ins.ts';
import { totpStepOf } from './totp.ts';
import { interactionBinding, type Webauthn } from './webauthn.ts';

/** What the user gives as a second factor; exactly one member is used (code first). */
export interface SecondFactorAnswer {
  code?: string;
  recoveryCode?: string;
  /**
   * A WebAuthn assertion (the browser's JSON), with the mfa_token its
   * challenge was bound to (the JSON API, the MFA grant) or the interaction
   * (the MFA page, `interactionBinding`); an answer bound to neither is refused.
   */
  webauthn?: { response: unknown; mfaToken?: string; interaction?: string };
}

/** What a passed check proves, for the sign-in's `amr` (RFC 8176: `otp`, and `mfa` for the combination). */
export interface SecondFactorPassed {
  method: 'totp' | 'recovery_code' | 'webauthn';
  amr: string[];
  factorId?: string;
}

export interface SecondFactorDeps {
  factors: FactorStore;
  rateLimits: Pick<RateLimits, 'reserveMfa'>;
  audit: Pick<Audit, 'record'>;
  emails: Pick<AccountEmails, 'sendRecoveryCodeUsed'>;
  onMailError(err: unknown): void;
  webauthn: Pick<Webauthn, 'verifyAssertion'>;
}

export function createSecondFactorCheck(deps: SecondFactorDeps) {
  const { factors } = deps;

  async function matchTotp(accountId: string, code: string, now: Date): Promise<string | undefined> {
    for (const factor of await factors.listByAccount(accountId)) {
      if (factor.type !== 'totp' || factor.confirmedAt === null || factor.secret === null) continue;
      const step = await totpStepOf(factor.secret, code, now);
      // The store accepts a step once, atomically: a replayed code fails here.
      if (step !== undefined && (await factors.useTotpStep(factor.id, step, now))) return factor.id;
    }
    return undefined;
  }

  return {
    /** InvalidMfaCodeError for a wrong or used code, RateLimitedError while MFA is locked for the account. */
    async verify(account: Account, answer: SecondFactorAnswer, context: { clientId?: string | null } = {}): Promise<SecondFactorPassed> {
      const method = answer.code !== undefined ? 'totp' : answer.webauthn !== undefined ? 'webauthn' : 'recovery_code';
      const common = { subjectId: account.id, clientId: context.clientId ?? null, details: { method } };
      let reservation;
      try {
        reservation = await deps.rateLimits.reserveMfa(account.id);
      } catch (err) {
        if (err instanceof RateLimitedError) await deps.audit.record({ type: 'mfa.verified', result: 'failure', reason: err.code, ...common });
        throw err;
      }
      const now = new Date();
      let passed: SecondFactorPassed | undefined;
      if (answer.code !== undefined) {
        const factorId = await matchTotp(account.id, answer.code, now);
        if (factorId) passed = { method, amr: ['otp', 'mfa'], factorId };
      } else if (answer.webauthn !== undefined) {
        const { mfaToken, interaction } = answer.webauthn;
        const bound = mfaToken !== undefined ? pendingTokenHash(mfaToken) : interaction !== undefined ? interactionBinding(interaction) : undefined;
        const factorId = bound === undefined ? undefined : await deps.webauthn.verifyAssertion(account.id, bound, answer.webauthn.response);
        if (factorId) passed = { method, amr: ['hwk', 'mfa'], factorId };
      } else if (answer.recoveryCode !== undefined) {
        if (await factors.consumeRecoveryCode(account.id, hashRecoveryCode(answer.recoveryCode), now)) passed = { method, amr: ['otp', 'mfa'] };
      }
      if (!passed) {
        await deps.audit.record({ type: 'mfa.verified', result: 'failure', reason: method === 'webauthn' ? InvalidMfaResponseError.code : InvalidMfaCodeError.code, ...common });
        if (reservation.locksOnFailure) await deps.audit.record({ type: 'mfa.locked', result: 'failure', reason: RateLimitedError.code, ...common });
        throw method === 'webauthn' ? new InvalidMfaResponseError() : new InvalidMfaCodeError();
      }
      await reservation.succeeded();
      await deps.audit.record({
        type: 'mfa.verified', actor: userActor(account.id), ...common,
        details: { method, ...(passed.factorId && { factor_id: passed.factorId }) },
      });
      if (method === 'recovery_code') {
        const remaining = await factors.countRecoveryCodes(account.id);
        await deps.audit.record({ type: 'mfa.recovery_code_used', actor: userActor(account.id), ...common, details: { remaining } });
        deliverLater(deps.emails.sendRecoveryCodeUsed(account, remaining), deps.onMailError);
      }
      return passed;
    },
  };
}

export type SecondFactorCheck = ReturnType<typeof createSecondFactorCheck>;
