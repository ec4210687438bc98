// What Gatehouse counts for its operator (API.md "Operations"), as typed
// calls. This is the port: the layers that see an event call these, and
// metrics/prometheus.ts implements them with prom-client, so no service
// knows the metrics library. Labels take only the bounded values below: a
// label made of user input would give Prometheus a new series per value.
import type { AuditEvent } from './audit.ts';

export type SignInMethod = 'password' | 'passkey' | 'mfa';
export type SignInOutcome =
  | 'ok' | 'wrong_password' | 'unknown_account' | 'locked' | 'disabled' | 'unverified' | 'mfa_required' | 'wrong_code' | 'other';
export type MfaType = 'totp' | 'webauthn' | 'recovery_code';
export type MfaOutcome = 'ok' | 'wrong_code' | 'locked';
/** The limit that locked: failed sign-ins (account and source) or wrong second-factor codes. */
export type LockedLimit = 'login' | 'mfa';

export interface Metrics {
  httpRequest(request: { method: string; route: string; status: number; seconds: number }): void;
  signIn(method: SignInMethod, result: SignInOutcome): void;
  tokenGranted(grantType: string): void;
  refreshTokenReused(): void;
  rateLimitLocked(limit: LockedLimit): void;
  mfaResult(type: MfaType, result: MfaOutcome): void;
  auditWriteFailed(): void;
}

const nothing = () => undefined;
/** Metrics off (no METRICS_PORT), and for code built without them in tests. */
export const NO_METRICS: Metrics = {
  httpRequest: nothing, signIn: nothing, tokenGranted: nothing, refreshTokenReused: nothing,
  rateLimitLocked: nothing, mfaResult: nothing, auditWriteFailed: nothing,
};

/** A sign-in refusal's code (API.md's error codes) as the metric's result. */
const REFUSALS: Record<string, SignInOutcome> = {
  RATE_LIMITED: 'locked',
  ACCOUNT_DISABLED: 'disabled',
  EMAIL_NOT_VERIFIED: 'unverified',
  MFA_REQUIRED: 'mfa_required',
  INVALID_MFA_CODE: 'wrong_code',
  INVALID_MFA_RESPONSE: 'wrong_code',
};

const MFA_TYPES = new Set<string>(['totp', 'webauthn', 'recovery_code']);
const SECOND_FACTOR_AMR = new Set(['otp', 'hwk', 'swk', 'mfa']);

function signInMethodOf(event: AuditEvent): SignInMethod {
  const details = event.details ?? {};
  if (details.method === 'passkey') return 'passkey';
  if (details.step === 'mfa') return 'mfa';
  const amr = Array.isArray(details.amr) ? details.amr : [];
  return amr.some((value) => SECOND_FACTOR_AMR.has(String(value))) ? 'mfa' : 'password';
}

function signInOutcomeOf(event: AuditEvent): SignInOutcome {
  if ((event.result ?? 'success') === 'success') return 'ok';
  const reason = event.reason ?? '';
  // The flow names no account when the address is no account's (it keeps only a hash).
  if (reason === 'INVALID_CREDENTIALS') return event.subjectId ? 'wrong_password' : 'unknown_account';
  return REFUSALS[reason] ?? 'other';
}

/**
 * Every security event is audited where its outcome is decided
 * (services/audit.ts), so the audit stream is the one place the sign-in,
 * MFA, lock and reuse counters are fed from: a new surface that audits its
 * sign-ins is counted without knowing about metrics.
 */
export function countAuditEvent(metrics: Metrics, event: AuditEvent): void {
  const failed = event.result === 'failure';
  switch (event.type) {
    case 'sign_in':
      return metrics.signIn(signInMethodOf(event), signInOutcomeOf(event));
    case 'sign_in.locked':
      return metrics.rateLimitLocked('login');
    case 'mfa.locked':
      return metrics.rateLimitLocked('mfa');
    case 'mfa.verified': {
      const type = String(event.details?.method ?? '');
      if (!MFA_TYPES.has(type)) return;
      return metrics.mfaResult(type as MfaType, !failed ? 'ok' : event.reason === 'RATE_LIMITED' ? 'locked' : 'wrong_code');
    }
    case 'refresh_token.reuse':
      return metrics.refreshTokenReused();
  }
}
