// The MFA grant: how a first-party client finishes a sign-in the password
// grant stopped with `mfa_required` (README, "MFA"). It takes the mfa_token
// and one answer (`code` or `recovery_code`), restores the sign-in the token
// holds (its client, the steps passed, its scope and remember_me) and runs
// the steps left, the second factor first; the tokens are then those the
// password grant would have issued, with the second factor in `amr`.
// /api/v1/auth/login/mfa is this grant for the built-in client.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { InvalidMfaTokenError } from '../errors.ts';
import type { Mfa } from '../services/mfa/mfa.ts';
import type { SignIn } from '../sign-in/flow.ts';
import { mfaAnswerFields } from '../sign-in/mfa.ts';
import { apiSignInSource } from './device-info.ts';
import { assertFirstParty, requestedScopes } from './password-grant.ts';
import { issueSignInTokens, refuseSignIn, type SignInTokenDeps } from './sign-in-grant.ts';

export const MFA_GRANT = 'urn:gatehouse:params:oauth:grant-type:mfa';

interface Deps extends SignInTokenDeps {
  signIn: SignIn;
  mfa: Pick<Mfa, 'pending'>;
}

export function registerMfaGrant(deps: Deps): void {
  const { signIn } = deps;
  async function mfaGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const client = ctx.oidc.client!;
    assertFirstParty(ctx, 'mfa');
    const params = ctx.oidc.params as Record<string, unknown>;
    const token = params.mfa_token;
    if (typeof token !== 'string' || !token) throw new errors.InvalidRequest('missing required parameter(s) (mfa_token)');
    if (!Object.keys(mfaAnswerFields).some((name) => typeof params[name] === 'string' && params[name] !== '')) {
      throw new errors.InvalidRequest(`missing the second factor (one of ${Object.keys(mfaAnswerFields).join(', ')})`);
    }
    const pending = await deps.mfa.pending.find(token);
    // Bound to the client it was issued to: another client cannot finish it.
    if (!pending || pending.context.clientId !== client.clientId) return refuseSignIn(ctx, new InvalidMfaTokenError());
    const { completed, amr, carry } = pending.context;
    const result = await signIn.resume(
      { accountId: pending.accountId, completed, amr },
      { ...params, mfa_token: token },
      { ...apiSignInSource(ctx), clientId: client.clientId },
      { carry },
    );
    if (result.kind === 'refused') return refuseSignIn(ctx, result.reason);
    if (!result.account) throw new Error('the MFA grant finished a sign-in without loading the account');
    const scopes = requestedScopes(ctx, carry.scope);
    await issueSignInTokens(ctx, deps, { account: result.account, amr: result.amr, scopes, rememberMe: carry.remember_me === 'true', gty: MFA_GRANT });
  }

  // Whatever steps may follow the second factor read their fields here too.
  const parameters = new Set(['mfa_token', ...Object.keys(mfaAnswerFields), ...Object.keys(signIn.fields)]);
  parameters.delete('email');
  parameters.delete('password');
  deps.provider.registerGrantType(MFA_GRANT, mfaGrant, [...parameters]);
}
