// "Use a security key" on the MFA page: views/assets/passkey.js fetches
// request options here (same origin, the interaction cookie finds the
// sign-in) and posts the browser's assertion with the MFA form. The challenge
// is bound to this interaction (interactionBinding), so it answers this
// pending sign-in only, and works once (services/mfa/webauthn.ts).
import type { Context } from 'koa';
import { interactionBinding } from '../../services/mfa/webauthn.ts';
import { MFA_STEP_ID } from '../../sign-in/mfa.ts';
import { loadInteraction } from './load.ts';
import { stateOf } from './sign-in-state.ts';
import type { InteractionDeps } from './types.ts';

/** The factor kinds of the account whose sign-in waits at the MFA page (what the page offers). */
export async function factorKinds(deps: InteractionDeps, accountId: string | undefined): Promise<{ totp: boolean; securityKey: boolean }> {
  const kinds = accountId === undefined || !deps.securityKeys ? [] : (await deps.securityKeys.activeFactors(accountId)).map((f) => f.type);
  // Without a security key service the page offers codes, as it always could.
  return { totp: kinds.includes('totp') || !deps.securityKeys, securityKey: kinds.includes('webauthn') };
}

/** POST /interaction/:uid/webauthn-options: JSON request options, or 404 when this sign-in is not waiting for a security key. */
export async function securityKeyOptions(ctx: Context, deps: InteractionDeps): Promise<void> {
  const details = await loadInteraction(ctx, deps, ctx.params.uid!);
  if (!details) return;
  ctx.set('Cache-Control', 'no-store');
  const state = details.prompt.name === 'login' ? stateOf(deps, details) : undefined;
  const waiting = state?.accountId !== undefined && (await deps.signIn.current(state)).id === MFA_STEP_ID;
  if (!deps.securityKeys || !waiting || !(await factorKinds(deps, state.accountId)).securityKey) {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: 'This sign-in is not waiting for a security key.' } };
    return;
  }
  ctx.body = await deps.securityKeys.options(state.accountId!, interactionBinding(details.uid));
}
