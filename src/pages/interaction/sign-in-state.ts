// Where a sign-in stands on the pages: kept in oidc-provider's interaction
// (server side, found by its cookie) between the steps' pages.
import { MFA_CHECK } from '../../oidc/mfa-policy.ts';
import { MFA_STEP_ID } from '../../sign-in/mfa.ts';
import type { SignInState } from '../../sign-in/step.ts';
import type { InteractionDeps, InteractionDetails } from './types.ts';

/** The sign-in state an earlier page stored in this interaction, or a fresh one. */
export function stateOf(deps: InteractionDeps, details: InteractionDetails): SignInState {
  const saved = (details.result as { signIn?: Partial<SignInState> } | undefined)?.signIn;
  if (!saved || !Array.isArray(saved.completed) || !Array.isArray(saved.amr)) {
    // Step-up (require_mfa, the MFA acr): the session proved the password
    // already; only the second factor is left.
    const session = details.session as { accountId?: string; amr?: string[] } | undefined;
    // Only when the second factor is all that is missing: with max_age (or
    // another login check) the password is asked again, then the factor.
    const reasons = details.prompt.reasons;
    if (session?.accountId && reasons.length > 0 && reasons.every((reason) => reason === MFA_CHECK)) {
      const completed = deps.signIn.steps.map((step) => step.id).filter((id) => id !== MFA_STEP_ID);
      return { accountId: session.accountId, completed, amr: Array.isArray(session.amr) ? session.amr : [] };
    }
    return deps.signIn.start();
  }
  return { accountId: saved.accountId, completed: saved.completed, amr: saved.amr };
}
