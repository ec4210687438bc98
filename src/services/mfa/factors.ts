// The signed-in user's second factors (API.md, "Multi-factor
// authentication"): list, enrol a TOTP app (pending until its first code),
// remove, regenerate recovery codes; and the administrator's reset. Starting
// an enrolment, removing a factor and regenerating codes need the password,
// checked as a sign-in attempt (as /me/password does).
import { randomUUID } from 'node:crypto';
import { FactorNotFoundError, InvalidMfaCodeError, RateLimitedError, WrongPasswordError } from '../../errors.ts';
import type { Account, Factor, FactorStore, FactorType } from '../../storage/ports.ts';
import type { AccountService, SignInSource } from '../accounts.ts';
import type { Audit } from '../audit.ts';
import type { RateLimits } from '../rate-limits.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';
import { newTotpSecret, otpauthUri, totpStepOf } from './totp.ts';

export interface FactorView {
  id: string;
  type: FactorType;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface MfaFactorsDeps {
  factors: FactorStore;
  accounts: Pick<AccountService, 'verifyPassword'>;
  rateLimits: Pick<RateLimits, 'reserveMfa' | 'liftMfaLock'>;
  audit: Pick<Audit, 'record'>;
  /** The issuer shown in authenticator apps (PRODUCT_NAME). */
  issuer: string;
}

const view = (f: Factor): FactorView => ({ id: f.id, type: f.type, name: f.name, createdAt: f.createdAt, lastUsedAt: f.lastUsedAt });
const active = (f: Factor) => f.confirmedAt !== null;
const DEFAULT_TOTP_NAME = 'Authenticator app';

export function createMfaFactors(deps: MfaFactorsDeps) {
  const { factors, audit } = deps;

  /** The password, as a sign-in attempt; a refusal is audited under `type`. */
  async function assertPassword(account: Account, password: string, source: SignInSource, type: string): Promise<void> {
    try {
      if (!(await deps.accounts.verifyPassword(account, password, source))) throw new WrongPasswordError();
    } catch (err) {
      const reason = (err as { code?: unknown }).code;
      if (typeof reason === 'string') await audit.record({ type, result: 'failure', reason, subjectId: account.id });
      throw err;
    }
  }

  return {
    /** Confirmed factors only (a pending TOTP never signs in), with the unused recovery codes' count. */
    async list(accountId: string): Promise<{ factors: FactorView[]; recoveryCodesRemaining: number }> {
      const [all, remaining] = await Promise.all([factors.listByAccount(accountId), factors.countRecoveryCodes(accountId)]);
      return { factors: all.filter(active).map(view), recoveryCodesRemaining: remaining };
    },

    /** The factors a sign-in can be finished with: what MFA_REQUIRED lists; empty when the account has none. */
    async activeFactors(accountId: string): Promise<{ id: string; type: FactorType }[]> {
      return (await factors.listByAccount(accountId)).filter(active).map((f) => ({ id: f.id, type: f.type }));
    },

    /** WrongPasswordError (RateLimitedError, ServerBusyError). A new pending TOTP factor and its secret, shown once. */
    async enrolTotp(account: Account, password: string, source: SignInSource, name?: string): Promise<{ id: string; secret: string; otpauthUri: string }> {
      await assertPassword(account, password, source, 'mfa.enrolled');
      const secret = newTotpSecret();
      const factor = await factors.insert({
        id: randomUUID(), accountId: account.id, type: 'totp', name: name ?? DEFAULT_TOTP_NAME, secret, confirmedAt: null, createdAt: new Date(),
      });
      return { id: factor.id, secret, otpauthUri: otpauthUri({ issuer: deps.issuer, label: account.email, secret }) };
    },

    /**
     * Confirm a pending TOTP factor with its first code: FactorNotFoundError
     * when it is not this account's pending one, InvalidMfaCodeError for a
     * wrong code (counted like a sign-in's), RateLimitedError while locked.
     * The recovery codes when this is the account's first factor.
     */
    async confirmTotp(account: Account, id: string, code: string): Promise<{ recoveryCodes?: string[] }> {
      const factor = await factors.find(id);
      if (!factor || factor.accountId !== account.id || factor.type !== 'totp' || factor.confirmedAt !== null || factor.secret === null) {
        throw new FactorNotFoundError();
      }
      const details = { factor_id: factor.id, type: factor.type };
      let reservation;
      try {
        reservation = await deps.rateLimits.reserveMfa(account.id);
      } catch (err) {
        if (err instanceof RateLimitedError) await audit.record({ type: 'mfa.enrolled', result: 'failure', reason: err.code, subjectId: account.id, details });
        throw err;
      }
      const now = new Date();
      const hadFactor = (await factors.listByAccount(account.id)).some(active);
      const step = await totpStepOf(factor.secret, code, now);
      if (step === undefined || !(await factors.useTotpStep(factor.id, step, now, { confirm: true }))) {
        await audit.record({ type: 'mfa.enrolled', result: 'failure', reason: InvalidMfaCodeError.code, subjectId: account.id, details });
        throw new InvalidMfaCodeError();
      }
      await reservation.succeeded();
      await audit.record({ type: 'mfa.enrolled', subjectId: account.id, details });
      return hadFactor ? {} : { recoveryCodes: await issueRecoveryCodes(factors, account.id) };
    },

    /** FactorNotFoundError unless it is this account's confirmed factor. A new name changes nothing of how it signs in, so no password. */
    async rename(accountId: string, id: string, name: string): Promise<FactorView> {
      const factor = await factors.find(id);
      if (!factor || factor.accountId !== accountId || !active(factor)) throw new FactorNotFoundError();
      const renamed = await factors.rename(id, accountId, name);
      if (!renamed) throw new FactorNotFoundError();
      await audit.record({ type: 'mfa.renamed', subjectId: accountId, details: { factor_id: id, type: factor.type } });
      return view(renamed);
    },

    /** WrongPasswordError, FactorNotFoundError. Removing the last factor also voids the recovery codes. */
    async remove(account: Account, id: string, password: string, source: SignInSource): Promise<void> {
      await assertPassword(account, password, source, 'mfa.removed');
      const factor = await factors.find(id);
      if (!factor || factor.accountId !== account.id || !(await factors.delete(id, account.id))) throw new FactorNotFoundError();
      await audit.record({ type: 'mfa.removed', subjectId: account.id, details: { factor_id: factor.id, type: factor.type } });
      if (!(await factors.listByAccount(account.id)).some(active)) await factors.replaceRecoveryCodes(account.id, [], new Date());
    },

    /** WrongPasswordError. Ten new codes; the older ones stop working. */
    async regenerateRecoveryCodes(account: Account, password: string, source: SignInSource): Promise<string[]> {
      await assertPassword(account, password, source, 'mfa.recovery_codes_regenerated');
      const codes = await issueRecoveryCodes(factors, account.id);
      await audit.record({ type: 'mfa.recovery_codes_regenerated', subjectId: account.id });
      return codes;
    },

    /** An administrator's reset: every factor, recovery code and pending sign-in goes, and the MFA lock is lifted. */
    async resetForAccount(accountId: string): Promise<number> {
      const removed = await factors.deleteAllForAccount(accountId);
      await deps.rateLimits.liftMfaLock(accountId);
      await audit.record({ type: 'mfa.reset', subjectId: accountId, details: { factors_removed: removed } });
      return removed;
    },
  };
}

export type MfaFactors = ReturnType<typeof createMfaFactors>;
