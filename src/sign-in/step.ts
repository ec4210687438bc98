// The vocabulary of signing in, after Kratos's login Strategy and
// oidc-provider's prompts-as-data: a sign-in is a list of steps, each one
// file exporting { id, show, submit }. The flow (flow.ts) runs them in the
// registry's order (steps.ts); the surfaces (the interaction pages, the
// password grant, POST /api/v1/auth/login) only ever see a SignInResult.
import type { z } from 'zod';
import type { AppError, AppErrorClass } from '../errors.ts';
import type { Account } from '../storage/ports.ts';

/** Who is signing in: the IP, and the device it proves if any (rate limits key on it; services/sign-in-source.ts). */
export type { SignInSource } from '../services/accounts.ts';
import type { SignInSource } from '../services/accounts.ts';

/**
 * Where a sign-in stands between steps. Pages keep it in oidc-provider's
 * interaction (server side, bound to the browser by the interaction cookie);
 * the one-request surfaces keep it in memory.
 */
export interface SignInState {
  accountId?: string;
  /** The account as the identifying step read it (absent once restored from the interaction). */
  account?: Account;
  /** Ids of the steps passed so far. */
  completed: string[];
  /** Authentication methods completed (RFC 8176 values), for the ID token's `amr`. */
  amr: string[];
}

/** The fields a step reads: form fields on pages, token endpoint parameters, JSON members. */
export type StepInput = Readonly<Record<string, unknown>>;

/** A page a step asks with: an eta view and its data (the pages add uid, client name, CSRF). */
export interface StepView {
  view: string;
  data: Record<string, unknown>;
}

export type StepOutcome = { kind: 'passed'; state: SignInState } | Refused;

/** Any refusal is an AppError subclass: it carries its code, status, message and headers (Retry-After). */
export interface Refused {
  kind: 'refused';
  reason: AppError;
  /** For the audit event only, never shown: the account the attempt was on, whether it engaged a lock. */
  audit?: { accountId?: string; locked?: boolean };
}

export type SignInResult =
  | { kind: 'done'; accountId: string; account: Account | undefined; amr: string[] }
  | { kind: 'next'; step: SignInStep; state: SignInState }
  | Refused;

/** What a one-request surface (flow.run/resume) hands the steps besides the input. */
export interface RunContext {
  /** Non-secret parameters the surface needs to finish in a later request (the grant's scope, remember_me). */
  carry?: Record<string, string>;
}

export interface SignInStep {
  /** Also the `step` field of its form. */
  id: string;
  /**
   * What passing it proves (RFC 8176 §2: `pwd`, `otp`, `hwk`…); none for a
   * step that proves nothing. A step whose proof depends on the answer (the
   * MFA step: `otp` or `hwk`) leaves this out and adds to `state.amr` itself.
   */
  amr?: string;
  /**
   * Whether the step proves who is signing in (the password, the second
   * factor). A passkey with user verification proves the person and the key
   * at once, so it stands in for every such step; the others (terms…) still run.
   */
  factor?: boolean;
  /** The JSON members it reads on /api/v1/auth/login; the password grant accepts the same names as parameters. */
  fields: Record<string, z.ZodType>;
  /** Refusals it can answer with, for the login route's declared errors. */
  errors: readonly AppErrorClass[];
  /** Whether this sign-in needs the step (default: always); may ask the store (the MFA step: has the account a factor?). */
  required?(state: SignInState): boolean | Promise<boolean>;
  /**
   * One-request surfaces only (flow.run and flow.resume: the JSON login, the
   * token endpoint's grants), asked before submit: when this request cannot
   * answer the step (no second factor in a password request), the refusal
   * that lets the client finish in a later one (MFA_REQUIRED with an
   * mfa_token holding `state` and `run.carry`). Undefined: submit as usual.
   */
  defer?(input: StepInput, state: SignInState, source: SignInSource, run: RunContext): Promise<Refused | undefined>;
  show(state: SignInState, context: { input?: StepInput; loginHint?: string }): StepView;
  submit(input: StepInput, state: SignInState, source: SignInSource): Promise<StepOutcome>;
}

export const passed = (state: SignInState): StepOutcome => ({ kind: 'passed', state });
export const refused = (reason: AppError, audit?: Refused['audit']): Refused => ({ kind: 'refused', reason, ...(audit && { audit }) });
