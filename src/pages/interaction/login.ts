// oidc-provider's login prompt: the sign-in steps (src/sign-in/), one page
// each. Where a sign-in stands between pages is kept in the interaction
// itself (server side, found by its cookie). A refusal shows on the step's
// page; for the password step every failure reads the same, so the page never
// tells whether an address has an account.
import type { Context } from 'koa';
import { EmailNotVerifiedError, RateLimitedError, ServerBusyError, type AppError } from '../../errors.ts';
import type { SignInState, SignInStep, StepInput } from '../../sign-in/step.ts';
import { pageSignInSource, rememberDevice } from '../device-cookie.ts';
import type { FormFields } from '../form-body.ts';
import { clientDisplayName, signInReturnPath } from './load.ts';
import { finishInteraction, seeCurrentStep } from './finish.ts';
import { submitPasskey } from './passkey.ts';
import type { InteractionDeps, InteractionDetails, InteractionPrompt } from './types.ts';

/** What the page says for a refusal; its status and headers (Retry-After) are the error's own. */
function presentRefusal(err: AppError, step: SignInStep): Record<string, unknown> {
  if (err instanceof EmailNotVerifiedError) return { notVerified: true };
  if (err instanceof RateLimitedError) {
    const minutes = Math.ceil(err.retryAfterSeconds / 60);
    return { error: `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.` };
  }
  if (err instanceof ServerBusyError) return { error: 'The server is busy. Try again in a few seconds.' };
  // A refusal of what the step asked for marks its fields (both email and
  // password on wrong credentials: which one was wrong is not said).
  return { error: err.message, errorFields: Object.keys(step.fields) };
}

/** The sign-in state an earlier page stored in this interaction, or a fresh one. */
function stateOf(deps: InteractionDeps, details: InteractionDetails): SignInState {
  const saved = (details.result as { signIn?: Partial<SignInState> } | undefined)?.signIn;
  if (!saved || !Array.isArray(saved.completed) || !Array.isArray(saved.amr)) return deps.signIn.start();
  return { accountId: saved.accountId, completed: saved.completed, amr: saved.amr };
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
    returnTo: signInReturnPath(details),
    ...(refusal && presentRefusal(refusal, step)),
  }, refusal?.status);
}

async function showLogin(ctx: Context, deps: InteractionDeps, details: InteractionDetails): Promise<void> {
  const state = stateOf(deps, details);
  await showStep(ctx, deps, details, { step: await deps.signIn.current(state), state });
}

async function submitLogin(ctx: Context, deps: InteractionDeps, details: InteractionDetails, form: FormFields): Promise<void> {
  const state = stateOf(deps, details);
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
  const result = await deps.signIn.submit(step, form, state, { ...pageSignInSource(ctx), clientId });
  switch (result.kind) {
    case 'refused':
      return showStep(ctx, deps, details, { step, state, input: form, refusal: result.reason });
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
      return finishInteraction(ctx, deps.provider, { login: { accountId: result.accountId, amr: result.amr } }, false);
  }
}

export const loginPrompt: InteractionPrompt = { show: showLogin, submit: submitLogin };
