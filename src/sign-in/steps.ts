// The registry: the steps of signing in, in order. A step that its
// configuration leaves off answers undefined and is not part of the sign-in.
// The second factor comes last: a one-request surface stops there with an
// mfa_token (SignInStep.defer), and what comes after the token is only it.
import type { AccountService } from '../services/accounts.ts';
import type { Mfa } from '../services/mfa/mfa.ts';
import type { Metrics } from '../services/metrics.ts';
import { createAcceptTermsStep } from './accept-terms.ts';
import { createSignIn, type SignIn, type SignInAudit } from './flow.ts';
import { createMfaStep } from './mfa.ts';
import { createPasswordStep } from './password.ts';
import type { SignInStep } from './step.ts';

export interface SignInDeps {
  accounts: Pick<AccountService, 'authenticate' | 'findById'>;
  /** Second factors: without it (tests of the other steps) no sign-in asks for one. */
  mfa?: Pick<Mfa, 'activeFactors' | 'verify' | 'challenge' | 'pending'>;
  /** TERMS_URL: ask to accept these terms after the password. */
  termsUrl?: string;
  /** Where each sign-in's outcome is recorded. */
  audit?: SignInAudit;
  /** Counts the sign-ins a step deferred (the rest are counted from the audit events). */
  metrics?: Pick<Metrics, 'signIn'>;
}

const STEPS: ReadonlyArray<(deps: SignInDeps) => SignInStep | undefined> = [
  createPasswordStep,
  createAcceptTermsStep,
  createMfaStep,
];

export function createSignInSteps(deps: SignInDeps): SignIn {
  return createSignIn(STEPS.map((create) => create(deps)).filter((step) => step !== undefined), deps.audit, deps.metrics);
}
