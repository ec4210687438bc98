// The resource owner password grant (RFC 6749 §4.3), for first-party clients
// only: Gatehouse's own apps sign users in with a form of their own and need
// tokens shaped exactly like those of the code flow. Third-party clients are
// refused with `unauthorized_client`, as API.md requires, because a password
// typed into someone else's app is a password given away. An account with a
// second factor is not signed in by the password alone: the grant answers
// `mfa_required` with an mfa_token for the MFA grant (mfa-grant.ts).
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { SignIn } from '../sign-in/flow.ts';
import { requiresMfa } from './client-policies.ts';
import { isMultiFactor } from './mfa-policy.ts';
import { apiSignInSource } from './device-info.ts';
import { API_SCOPE } from './resource-server.ts';
import { issueSignInTokens, refuseSignIn, type SignInTokenDeps } from './sign-in-grant.ts';

export { SHORT_SESSION_TTL_SECONDS, signInRefusalOf } from './sign-in-grant.ts';

export const PASSWORD_GRANT = 'password';
const OIDC_SCOPES = new Set(['openid', 'offline_access', 'email', 'profile', 'role', 'organizations']);
const DEFAULT_SCOPE = 'openid offline_access';

interface Deps extends SignInTokenDeps {
  signIn: SignIn;
}

/** The grant's OIDC scopes (the API scope is always added); InvalidScope for unknown or not allowed ones. */
export function requestedScopes(ctx: KoaContextWithOIDC, requested = ctx.oidc.params?.scope): string[] {
  const raw = typeof requested === 'string' ? requested : DEFAULT_SCOPE;
  const scopes = [...new Set(raw.split(' ').filter(Boolean))].filter((s) => s !== API_SCOPE);
  const unknown = scopes.filter((s) => !OIDC_SCOPES.has(s));
  if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
  const allowed = ctx.oidc.client!.scope?.split(' ');
  const notAllowed = allowed ? scopes.filter((s) => !allowed.includes(s)) : [];
  if (notAllowed.length > 0) throw new errors.InvalidScope('requested scope is not allowed for this client', notAllowed.join(' '));
  return scopes;
}

export function assertFirstParty(ctx: KoaContextWithOIDC, grant: string): void {
  if (ctx.oidc.client!.metadata().first_party !== true) {
    throw new errors.UnauthorizedClient(`the ${grant} grant is only for first-party clients`);
  }
}

export function registerPasswordGrant(deps: Deps): void {
  const { signIn } = deps;
  async function passwordGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const client = ctx.oidc.client!;
    assertFirstParty(ctx, 'password');
    const { username, password } = ctx.oidc.params as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
      throw new errors.InvalidRequest('missing required parameter(s) (username, password)');
    }
    const scopes = requestedScopes(ctx);
    const rememberMe = ctx.oidc.params?.remember_me === 'true';
    // What the MFA grant needs to finish this sign-in if a second factor stops it here.
    const carry = { scope: scopes.join(' '), ...(rememberMe && { remember_me: 'true' }) };
    const result = await signIn.run(
      { ...ctx.oidc.params, email: username, password },
      { ...apiSignInSource(ctx), clientId: client.clientId },
      { carry },
    );
    if (result.kind === 'refused') return refuseSignIn(ctx, result.reason);
    if (!result.account) throw new Error('the sign-in steps ran in one request but did not load the account');
    // A require_mfa client gets no sign-in by the password alone: an account
    // with a factor was stopped above (mfa_required); one without enrols first.
    if (requiresMfa(client) && !isMultiFactor(result.amr)) {
      throw new errors.InvalidGrant('this client requires a second factor; set one up for the account first');
    }
    await issueSignInTokens(ctx, deps, { account: result.account, amr: result.amr, scopes, rememberMe, gty: PASSWORD_GRANT });
  }

  // The steps' own fields (accept_terms…) are parameters of this grant too; `email` is `username` here.
  const parameters = new Set(['username', 'password', 'scope', 'remember_me', ...Object.keys(signIn.fields)]);
  parameters.delete('email');
  deps.provider.registerGrantType(PASSWORD_GRANT, passwordGrant, [...parameters]);
}
