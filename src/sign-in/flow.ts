// Running the steps: the one loop every surface shares. It never learns which
// methods exist (Kratos's login handler loops over strategies the same way);
// the registry's order decides.
import { userActor, type Audit } from '../services/audit.ts';
import type { Account } from '../storage/ports.ts';
import type { Metrics } from '../services/metrics.ts';
import type { Refused, RunContext, SignInResult, SignInSource, SignInState, SignInStep, StepInput } from './step.ts';

export interface SignIn {
  steps: readonly SignInStep[];
  /** Every step's JSON members, for the login route's body schema. */
  fields: SignInStep['fields'];
  errors: SignInStep['errors'];
  /** The members of the steps that are not factors (accept_terms…): what a passkey sign-in reads besides the passkey. */
  afterFactorFields: SignInStep['fields'];
  afterFactorErrors: SignInStep['errors'];
  start(): SignInState;
  /**
   * Where a sign-in stands once another method proved the account in one go
   * (a passkey: possession and user verification): every factor step
   * (SignInStep.factor) counts as passed with the method's amr; the other
   * steps are left for `next`/`submit` (pages) or `finish` (one request).
   */
  provenBy(account: Account, amr: string[]): SignInState;
  /** The step this sign-in waits for; undefined when none is left. */
  next(state: SignInState): Promise<SignInStep | undefined>;
  /** The step this sign-in waits for. */
  current(state: SignInState): Promise<SignInStep>;
  /** Pass `step` with `input`, then say what comes next. */
  submit(step: SignInStep, input: StepInput, state: SignInState, source: SignInSource): Promise<SignInResult>;
  /** Every step in one go with the same input (the password grant and the JSON login: one request, no pages). */
  run(input: StepInput, source: SignInSource, context?: RunContext): Promise<Exclude<SignInResult, { kind: 'next' }>>;
  /**
   * The steps left after `state` with one input: a sign-in a step deferred
   * (SignInStep.defer), taken up again in a later request (the MFA grant,
   * with the state its mfa_token held).
   */
  resume(state: SignInState, input: StepInput, source: SignInSource, context?: RunContext): Promise<Exclude<SignInResult, { kind: 'next' }>>;
  /**
   * A `provenBy` sign-in in one request: the steps left with one input, or
   * done at once when none is left (the proving method audited its success).
   */
  finish(state: SignInState, input: StepInput, source: SignInSource): Promise<Exclude<SignInResult, { kind: 'next' }>>;
}

/** What the flow writes to the audit log; absent in tests that build the steps alone. */
export type SignInAudit = Pick<Audit, 'record' | 'hashIdentifier'>;

/**
 * `metrics` counts what the audit log does not hold: a sign-in a step
 * deferred (MFA_REQUIRED) is not a refusal, so it is no audit event; every
 * other outcome is counted from the audit stream (services/metrics.ts).
 */
export function createSignIn(steps: readonly SignInStep[], audit?: SignInAudit, metrics?: Pick<Metrics, 'signIn'>): SignIn {
  if (steps.length === 0) throw new Error('sign-in needs at least one step');
  async function pending(state: SignInState): Promise<SignInStep | undefined> {
    for (const step of steps) {
      if (!state.completed.includes(step.id) && (await (step.required?.(state) ?? true))) return step;
    }
    return undefined;
  }

  // Every surface signs in through submit(), so this is the one place a
  // sign-in's outcome is audited: each refusal with its code, and the end.
  async function auditRefusal(step: SignInStep, input: StepInput, state: SignInState, source: SignInSource, outcome: Refused) {
    if (!audit) return;
    const subjectId = outcome.audit?.accountId ?? state.accountId ?? null;
    // An address that is no account's is kept only as its keyed hash.
    const typed = typeof input.email === 'string' && input.email.trim() !== '' ? input.email : undefined;
    const details = { step: step.id, ...(subjectId === null && typed !== undefined && { identifier_hash: audit.hashIdentifier(typed) }) };
    const common = { result: 'failure' as const, subjectId, clientId: source.clientId ?? null, ip: source.ip, details };
    await audit.record({ type: 'sign_in', reason: outcome.reason.code, ...common });
    if (outcome.audit?.locked) await audit.record({ type: 'sign_in.locked', reason: 'RATE_LIMITED', ...common });
  }

  async function submit(step: SignInStep, input: StepInput, state: SignInState, source: SignInSource): Promise<SignInResult> {
    const outcome = await step.submit(input, state, source);
    if (outcome.kind === 'refused') {
      await auditRefusal(step, input, state, source, outcome);
      return outcome;
    }
    const after: SignInState = {
      ...outcome.state,
      completed: [...state.completed, step.id],
      amr: step.amr ? [...new Set([...outcome.state.amr, step.amr])] : outcome.state.amr,
    };
    const next = await pending(after);
    if (next) return { kind: 'next', step: next, state: after };
    if (!after.accountId) throw new Error('sign-in ended without a step that names the account');
    await audit?.record({
      type: 'sign_in', actor: userActor(after.accountId), subjectId: after.accountId,
      clientId: source.clientId ?? null, ip: source.ip, details: { amr: after.amr },
    });
    return { kind: 'done', accountId: after.accountId, account: after.account, amr: after.amr };
  }

  const afterFactor = steps.filter((step) => step.factor !== true);
  return {
    steps,
    fields: Object.assign({}, ...steps.map((step) => step.fields)),
    errors: [...new Set(steps.flatMap((step) => step.errors))],
    afterFactorFields: Object.assign({}, ...afterFactor.map((step) => step.fields)),
    afterFactorErrors: [...new Set(afterFactor.flatMap((step) => step.errors))],
    start: () => ({ completed: [], amr: [] }),
    provenBy: (account, amr) => ({
      accountId: account.id, account, completed: steps.filter((step) => step.factor === true).map((step) => step.id), amr: [...amr],
    }),
    next: pending,
    current: async (state) => (await pending(state)) ?? steps[0]!,
    submit,
    run: (input, source, context = {}) => runFrom({ completed: [], amr: [] }, input, source, context),
    resume: (state, input, source, context = {}) => runFrom(state, input, source, context),
    async finish(state, input, source) {
      if (await pending(state)) return runFrom(state, input, source, {});
      return { kind: 'done', accountId: state.accountId!, account: state.account, amr: state.amr };
    },
  };

  async function runFrom(start: SignInState, input: StepInput, source: SignInSource, context: RunContext) {
    let state = start;
    let step = await pending(state);
    if (!step) throw new Error('resumed a sign-in that has no step left');
    for (;;) {
      // A step this request cannot answer hands the client what it needs to
      // come back; that is not a failed sign-in, so it is not audited as one.
      const deferred = await step.defer?.(input, state, source, context);
      if (deferred) {
        metrics?.signIn('password', 'mfa_required');
        return deferred;
      }
      const result = await submit(step, input, state, source);
      if (result.kind !== 'next') return result;
      ({ step, state } = result);
    }
  }
}
