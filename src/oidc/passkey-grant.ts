// The passkey grant: a first-party client signs in with a passkey and no
// password (README, "MFA"), `webauthn_response` answering the options of
// POST /api/v1/auth/passkey/options. The passkey stands in for the sign-in
// steps that prove who signs in (the password and the second factor); the
// other steps (terms…) run on this request's parameters as they do in the
// password grant. The tokens are those the password grant issues, with amr
// ["hwk","user"]. /api/v1/auth/passkey is this grant for the built-in client.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { AppError, InvalidCredentialsError } from '../errors.ts';
import type { Mfa } from '../services/mfa/mfa.ts';
import { PASSKEY_AMR } from '../services/mfa/passkeys.ts';
import { parseWebauthnResponse } from '../services/mfa/webauthn.ts';
import type { SignIn } from '../sign-in/flow.ts';
import { apiSignInSource } from './device-info.ts';
import { assertFirstParty, requestedScopes } from './password-grant.ts';
import { issueSignInTokens, refuseSignIn, type SignInTokenDeps } from './sign-in-grant.ts';

export const PASSKEY_GRANT = 'urn:gatehouse:params:oauth:grant-type:passkey';

export function registerPasskeyGrant(deps: SignInTokenDeps & { mfa: Pick<Mfa, 'passkeys'>; signIn: SignIn }): void {
  const { signIn } = deps;
  async function passkeyGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const client = ctx.oidc.client!;
    assertFirstParty(ctx, 'passkey');
    const params = ctx.oidc.params as Record<string, unknown>;
    if (typeof params.webauthn_response !== 'string' || !params.webauthn_response) {
      throw new errors.InvalidRequest('missing required parameter(s) (webauthn_response)');
    }
    const response = parseWebauthnResponse(params.webauthn_response);
    if (!response) return refuseSignIn(ctx, new InvalidCredentialsError());
    const source = { ...apiSignInSource(ctx), clientId: client.clientId };
    let account;
    try {
      account = await deps.mfa.passkeys.signIn(response, { clientId: client.clientId, ip: source.ip });
    } catch (err) {
      if (err instanceof AppError) return refuseSignIn(ctx, err);
      throw err;
    }
    const result = await signIn.finish(signIn.provenBy(account, PASSKEY_AMR), params, source);
    if (result.kind === 'refused') return refuseSignIn(ctx, result.reason);
    const scopes = requestedScopes(ctx, typeof params.scope === 'string' ? params.scope : undefined);
    await issueSignInTokens(ctx, deps, { account, amr: result.amr, scopes, rememberMe: params.remember_me === 'true', gty: PASSKEY_GRANT });
  }
  // The other steps' fields (accept_terms…) are parameters of this grant too.
  const parameters = new Set(['webauthn_response', 'remember_me', 'scope', ...Object.keys(signIn.afterFactorFields)]);
  deps.provider.registerGrantType(PASSKEY_GRANT, passkeyGrant, [...parameters]);
}
