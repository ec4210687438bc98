// What the token endpoint's sign-in grants share (the password grant and the
// MFA grant that finishes what it deferred): answering a refusal of the
// sign-in steps in RFC 6749's form, and issuing the tokens of a finished
// sign-in exactly as the code flow would, with its `amr`.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { MfaRequiredError, ServerBusyError, type AppError } from '../errors.ts';
import type { SessionService } from '../services/sessions.ts';
import type { Account } from '../storage/ports.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from './configuration.ts';
import { deviceInfoOf } from './device-info.ts';
import { setGrantAmr } from './grant-amr.ts';
import { accountClaims, grantsOrganizations, rememberAccount, type OrganizationsOf } from './find-account.ts';
import { API_SCOPE } from './resource-server.ts';

/** Without remember_me a sign-in lasts a day, like a browser session that ends with the day; with it, 30 days. */
export const SHORT_SESSION_TTL_SECONDS = 24 * 3600;

/**
 * Why the sign-in steps refused this request, as the AppError they refused
 * with, for /api/v1/auth/login: it runs the grant on a context of its own
 * (token-endpoint.ts) and answers with that error as it is.
 */
export function signInRefusalOf(ctx: object): AppError | undefined {
  return (ctx as { state?: { signInRefusal?: AppError } }).state?.signInRefusal;
}

/** The OAuth error_description of the refusals a client of the token endpoint may be told about. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  INVALID_CREDENTIALS: 'invalid email or password',
  // Safe to tell: "not verified" comes only after a correct password.
  EMAIL_NOT_VERIFIED: 'email address is not verified',
  ACCOUNT_DISABLED: 'account is disabled',
  RATE_LIMITED: 'too many failed attempts; try again later',
  INVALID_MFA_CODE: 'the second factor code is wrong or already used',
  INVALID_MFA_TOKEN: 'mfa_token is unknown, expired or already used',
};

/** Answer the grant's request with the steps' refusal; returns only for MFA_REQUIRED, which is an answer, not an exception. */
export function refuseSignIn(ctx: KoaContextWithOIDC, reason: AppError): void {
  ctx.state.signInRefusal = reason;
  if (reason instanceof MfaRequiredError) {
    // README, "MFA": the client goes on with the MFA grant and this mfa_token.
    // An OAuth error body may carry members of its own (RFC 6749 §5.2 lists
    // the required ones), as Auth0's mfa_required does.
    ctx.status = 400;
    ctx.body = {
      error: 'mfa_required',
      error_description: 'a second factor is required; use the mfa grant with this mfa_token',
      mfa_token: reason.mfa.token,
      expires_in: reason.mfa.expires_in,
      factors: reason.mfa.factors,
    };
    return;
  }
  if (reason instanceof ServerBusyError) {
    ctx.set(reason.headers);
    // RFC 6749 §5.2 has no code for overload; temporarily_unavailable is the
    // one §4.1.2.1 defines for the authorization endpoint, with RFC 9110's 503.
    const err = new errors.CustomOIDCProviderError('temporarily_unavailable', 'the server is busy; try again shortly');
    Object.assign(err, { status: 503, statusCode: 503 });
    throw err;
  }
  // An outage is not the client's doing: oidc-provider answers server_error.
  if (reason.status >= 500) throw reason;
  ctx.set(reason.headers);
  const err = new errors.CustomOIDCProviderError('invalid_grant', DESCRIPTIONS[reason.code] ?? reason.message);
  // RFC 6585 §4: a lock is temporary, and Retry-After says for how long.
  if (reason.status === 429) Object.assign(err, { status: 429, statusCode: 429 });
  throw err;
}

export interface SignInTokenDeps {
  provider: Provider;
  sessions: SessionService;
  apiAudience: string;
  apiServerInfo: ConstructorParameters<Provider['ResourceServer']>[1];
  organizationsOf: OrganizationsOf;
}

/** Start an API session and answer with its access, refresh and ID tokens, all carrying `amr`. */
export async function issueSignInTokens(
  ctx: KoaContextWithOIDC,
  deps: SignInTokenDeps,
  input: { account: Account; amr: string[]; scopes: string[]; rememberMe: boolean; gty: string },
): Promise<void> {
  const { provider, apiAudience } = deps;
  const { account, amr, scopes } = input;
  const client = ctx.oidc.client!;
  rememberAccount(ctx, account);
  setGrantAmr(ctx, amr);
  ctx.oidc.entity('Account', { accountId: account.id, role: account.role, claims: async () => accountClaims(account) });
  // One sign-in on one device (API.md's session): every token of this grant
  // carries its id as `sid`, and the refresh token ends with it.
  const ttl = input.rememberMe ? REFRESH_TOKEN_TTL_SECONDS : SHORT_SESSION_TTL_SECONDS;
  const sessionUid = await deps.sessions.startApiSession({
    accountId: account.id,
    clientId: client.clientId,
    device: deviceInfoOf(ctx),
    expiresAt: new Date(Date.now() + ttl * 1000),
    amr,
  });

  const grant = new provider.Grant({ accountId: account.id, clientId: client.clientId });
  grant.addOIDCScope(scopes.join(' '));
  grant.addResourceScope(apiAudience, API_SCOPE);
  const grantId = await grant.save();
  // extraTokenClaims reads the granted OIDC scopes from here, as after a code exchange or refresh.
  ctx.oidc.entity('Grant', grant);

  const common = { accountId: account.id, client, grantId, gty: input.gty, sessionUid, expiresWithSession: false };
  const at = new provider.AccessToken({ ...common, scope: API_SCOPE });
  at.resourceServer = new provider.ResourceServer(apiAudience, deps.apiServerInfo);
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken: string | undefined;
  if (client.grantTypeAllowed('refresh_token')) {
    // The refresh grant copies amr into the ID and access tokens it issues.
    const rt = new provider.RefreshToken({
      ...common, scope: [...scopes, API_SCOPE].join(' '), resource: apiAudience, rotations: 0, expiresIn: ttl, amr,
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  let idToken: string | undefined;
  if (scopes.includes('openid')) {
    const organizations = grantsOrganizations(scopes.join(' ')) ? { organizations: await deps.organizationsOf(account.id) } : {};
    const token = new provider.IdToken({ ...accountClaims(account), ...organizations }, { ctx });
    // IdToken.issue() releases only the claims of these scopes (missing from @types/oidc-provider).
    (token as unknown as { scope: string }).scope = scopes.join(' ');
    token.set('sid', sessionUid);
    token.set('amr', amr);
    idToken = await token.issue({ use: 'idtoken' });
  }

  ctx.body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: at.expiration,
    refresh_token: refreshToken,
    id_token: idToken,
    scope: at.scope,
  };
}
