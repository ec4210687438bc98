// oidc-provider's login prompt: the sign-in steps (src/sign-in/), one page
// each. Where a sign-in stands between pages is kept in the interaction
// itself (server side, found by its cookie). A refusal shows on the step's
// page; for the password step every failure reads the same, so the page never
// tells whether an address has an account.
import type { Context } from 'koa';
import { EmailNotVerifiedError, RateLimitedError, ServerBusyError, type AppError } from '../../errors.ts';
import { acrOf, isMultiFactor, MFA_CHECK } from '../../oidc/mfa-policy.ts';
import { MFA_STEP_ID } from '../../sign-in/mfa.ts';
import type { SignInState, SignInStep, StepInput } from '../../sign-in/step.ts';
import { pageSignInSource, rememberDevice } from '../device-cookie.ts';
import type { FormFields } from '../form-body.ts';
import { clientDisplayName, signInReturnPath } from './load.ts';
import { finishInteraction, seeCurrentStep } from './finish.ts';
import { MFA_ENROL_STEP, showMfaEnrol, submitMfaEnrol } from './mfa-enrol.ts';
import { submitPasskey } from './passkey.ts';
import { factorKinds } from './security-key.ts';
import { stateOf } from './sign-in-state.ts';
import type { InteractionDeps, InteractionDetails, InteractionPrompt } from './types.ts';

/** What the page says for a refusal; its status and headers (Retry-After) are the error's own. */
function presentRefusal(err: AppError, step: SignInStep, input: StepInput | undefined): Record<string, unknown> {
  if (err instanceof EmailNotVerifiedError) return { notVerified: true };
  // The second factor's page has one field, the code or the recovery code it
  // was asked with; a security key's answer has none (the message says it).
  const mfaField = step.id !== MFA_STEP_ID ? undefined
    : typeof input?.webauthn_response === 'string' && input.webauthn_response !== '' ? 'webauthn_response'
      : typeof input?.recovery_code === 'string' ? 'recovery_code' : 'code';
  if (err instanceof RateLimitedError) {
    const minutes = Math.ceil(err.retryAfterSeconds / 60);
    const wait = `${minutes} minute${minutes === 1 ? '' : 's'}`;
    if (mfaField) return { error: `Too many wrong codes. Two-step verification is locked for this account; try again in ${wait}.`, errorFields: [mfaField] };
    return { error: `Too many failed sign-ins. Try again in ${wait}, or reset your password.` };
  }
  if (mfaField) return { error: err.message, errorFields: [mfaField] };
  if (err instanceof ServerBusyError) return { error: 'The server is busy. Try again in a few seconds.' };
  // A refusal of what the step asked for marks its fields (both email and
  // password on wrong credentials: which one was wrong is not said).
  return { error: err.message, errorFields: Object.keys(step.fields) };
}

async function showStep(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  page: { step: SignInStep; state: SignInState; input?: StepInput; refusal?: AppError },
): Promise<void> {
  const { step, state, input, refusal } = page;
  if (refusal && refusal.status >= 500 && !(refusal instanceof ServerBusyError)) throw refusal;
  const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
  const { view, data } = step.show(state, { input, loginHint });
  if (refusal) ctx.set(refusal.headers);
  await deps.render(ctx, view, {
    ...data,
    uid: details.uid,
    step: step.id,
    clientName: await clientDisplayName(deps, details),
    passkeys: deps.passkeys !== undefined,
    ...(step.id === MFA_STEP_ID && await factorKinds(deps, state.accountId)),
    returnTo: signInReturnPath(details),
    ...(refusal && presentRefusal(refusal, step, input)),
  }, refusal?.status);
}

/**
 * A step-up (MFA_CHECK) for an account without a factor: no MFA step is left
 * to ask, so the page enrols one (mfa-enrol.ts). Undefined: the usual steps.
 */
async function enrolmentFor(deps: InteractionDeps, details: InteractionDetails, state: SignInState) {
  if (!details.prompt.reasons.includes(MFA_CHECK) || state.accountId === undefined || !state.completed.length) return undefined;
  // A passkey proved two factors already; only its other steps (terms…) are left.
  if (isMultiFactor(state.amr)) return undefined;
  if ((await deps.signIn.current(state)).id === MFA_STEP_ID) return undefined;
  return { accountId: state.accountId, amr: state.amr };
}

async function showLogin(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  const state = stateOf(deps, details);
  if (await enrolmentFor(deps, details, state)) return showMfaEnrol(ctx, deps, details);
  // `?method=recovery`: the MFA page asks for a recovery code instead of an app's code.
  const input = ctx.query.method === 'recovery' ? { recovery_code: '' } : undefined;
  await showStep(ctx, deps, details, { step: await deps.signIn.current(state), state, input });
}

async function submitLogin(ctx: Context, deps: InteractionDeps, details: InteractionDetails, form: FormFields): Promise<void> {
  const state = stateOf(deps, details);
  const enrol = await enrolmentFor(deps, details, state);
  if (enrol) {
    if (form.step !== MFA_ENROL_STEP) return seeCurrentStep(ctx, details.uid);
    return submitMfaEnrol(ctx, deps, details, form, enrol);
  }
  const step = await deps.signIn.current(state);
  if (form.action === 'passkey') {
    const refusal = await submitPasskey(ctx, deps, details, form);
    if (!refusal) return;
    const first = deps.signIn.start();
    return showStep(ctx, deps, details, { step: await deps.signIn.current(first), state: first, refusal });
  }
  // A form of another step (an older tab): show the pending one instead.
  if (form.step !== undefined && form.step !== step.id) return seeCurrentStep(ctx, details.uid);
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined;
  // A security key's answer names the interaction its challenge was bound to (security-key.ts); never the form's say.
  const input = step.id === MFA_STEP_ID ? { ...form, interaction: details.uid } : form;
  const result = await deps.signIn.submit(step, input, state, { ...pageSignInSource(ctx), clientId });
  switch (result.kind) {
    case 'refused':
      return showStep(ctx, deps, details, { step, state, input, refusal: result.reason });
    case 'next': {
      const { accountId, completed, amr } = result.state;
      await deps.provider.interactionResult(ctx.req, ctx.res, { signIn: { accountId, completed, amr } }, { mergeWithLastSubmission: false });
      return seeCurrentStep(ctx, details.uid);
    }
    case 'done':
      // This browser is now a known device of the account: a stranger's
      // failures elsewhere never lock it out (services/sign-in-source.ts).
      rememberDevice(ctx, result.accountId);
      // A fresh login replaces whatever an earlier submission carried.
      return finishInteraction(ctx, deps.provider, { login: { accountId: result.accountId, amr: result.amr, acr: acrOf(result.amr) } }, false);
  }
}

export const loginPrompt: InteractionPrompt = { show: showLogin, submit: submitLogin };
