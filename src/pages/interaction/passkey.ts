// "Sign in with a passkey" on the login page: views/assets/passkey.js asks
// the browser for a passkey with the options of /api/v1/auth/passkey/options
// and posts its answer here as `webauthn_response` (action=passkey). A passkey
// with user verification proves the person and the key (amr hwk and user): it
// stands in for the password and the second factor whatever step the
// password sign-in had reached; the other steps (terms…) are still asked,
// on their own pages, as after a password.
import type { Context } from 'koa';
import { AppError, InvalidCredentialsError } from '../../errors.ts';
import { acrOf } from '../../oidc/mfa-policy.ts';
import { PASSKEY_AMR } from '../../services/mfa/passkeys.ts';
import { parseWebauthnResponse } from '../../services/mfa/webauthn.ts';
import { pageSignInSource, rememberDevice } from '../device-cookie.ts';
import type { FormFields } from '../form-body.ts';
import { finishInteraction, seeCurrentStep } from './finish.ts';
import type { InteractionDeps, InteractionDetails } from './types.ts';

/** Undefined when answered (signed in, or sent to the next step); the refusal to show on the login page otherwise. */
export async function submitPasskey(ctx: Context, deps: InteractionDeps, details: InteractionDetails, form: FormFields): Promise<AppError | undefined> {
  const response = parseWebauthnResponse(form.webauthn_response);
  if (!deps.passkeys || !response) return new InvalidCredentialsError();
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : null;
  let account;
  try {
    account = await deps.passkeys.signIn(response, { clientId, ip: pageSignInSource(ctx).ip });
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  rememberDevice(ctx, account.id);
  const state = deps.signIn.provenBy(account, PASSKEY_AMR);
  if (await deps.signIn.next(state)) {
    const { accountId, completed, amr } = state;
    await deps.provider.interactionResult(ctx.req, ctx.res, { signIn: { accountId, completed, amr } }, { mergeWithLastSubmission: false });
    seeCurrentStep(ctx, details.uid);
    return undefined;
  }
  await finishInteraction(ctx, deps.provider, { login: { accountId: account.id, amr: PASSKEY_AMR, acr: acrOf(PASSKEY_AMR) } }, false);
  return undefined;
}
