// The resource owner password grant (RFC 6749 §4.3), for first-party clients
// only: Gatehouse's own apps sign users in with a form of their own and need
// tokens shaped exactly like those of the code flow. Third-party clients are
// refused with `unauthorized_client`, as API.md requires, because a password
// typed into someone else's app is a password given away.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { ServerBusyError, type AppError } from '../errors.ts';
import type { SignIn } from '../sign-in/flow.ts';
import type { SessionService } from '../services/sessions.ts';
import { apiSignInSource, deviceInfoOf } from './device-info.ts';
import { API_SCOPE } from './resource-server.ts';
import { accountClaims, rememberAccount } from './find-account.ts';
import { REFRESH_TOKEN_TTL_SECONDS } from './configuration.ts';

export const PASSWORD_GRANT = 'password';
const OIDC_SCOPES = new Set(['openid', 'offline_access', 'email', 'profile', 'role']);
const DEFAULT_SCOPE = 'openid offline_access';
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
  RATE_LIMITED: 'too many failed sign-ins; try again later or reset the password',
};

interface Deps {
  provider: Provider;
  signIn: SignIn;
  sessions: SessionService;
  apiAudience: string;
  apiServerInfo: ConstructorParameters<Provider['ResourceServer']>[1];
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const raw = typeof ctx.oidc.params?.scope === 'string' ? ctx.oidc.params.scope : DEFAULT_SCOPE;
  const scopes = [...new Set(raw.split(' ').filter(Boolean))].filter((s) => s !== API_SCOPE);
  const unknown = scopes.filter((s) => !OIDC_SCOPES.has(s));
  if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
  const allowed = ctx.oidc.client!.scope?.split(' ');
  const notAllowed = allowed ? scopes.filter((s) => !allowed.includes(s)) : [];
  if (notAllowed.length > 0) throw new errors.InvalidScope('requested scope is not allowed for this client', notAllowed.join(' '));
  return scopes;
}

function refuse(ctx: KoaContextWithOIDC, reason: AppError): never {
  ctx.state.signInRefusal = reason;
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

export function registerPasswordGrant({ provider, signIn, sessions, apiAudience, apiServerInfo }: Deps): void {
  async function passwordGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const client = ctx.oidc.client!;
    if (client.metadata().first_party !== true) {
      throw new errors.UnauthorizedClient('the password grant is only for first-party clients');
    }
    const { username, password } = ctx.oidc.params as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
      throw new errors.InvalidRequest('missing required parameter(s) (username, password)');
    }
    const scopes = requestedScopes(ctx);
    const result = await signIn.run({ ...ctx.oidc.params, email: username, password }, { ...apiSignInSource(ctx), clientId: client.clientId });
    if (result.kind === 'refused') refuse(ctx, result.reason);
    const { account, amr } = result;
    if (!account) throw new Error('the sign-in steps ran in one request but did not load the account');
    rememberAccount(ctx, account);
    ctx.oidc.entity('Account', { accountId: account.id, role: account.role, claims: async () => accountClaims(account) });
    // One sign-in on one device (API.md's session): every token of this grant
    // carries its id as `sid`, and the refresh token ends with it.
    const ttl = ctx.oidc.params?.remember_me === 'true' ? REFRESH_TOKEN_TTL_SECONDS : SHORT_SESSION_TTL_SECONDS;
    const sessionUid = await sessions.startApiSession({
      accountId: account.id,
      clientId: client.clientId,
      device: deviceInfoOf(ctx),
      expiresAt: new Date(Date.now() + ttl * 1000),
    });

    const grant = new provider.Grant({ accountId: account.id, clientId: client.clientId });
    grant.addOIDCScope(scopes.join(' '));
    grant.addResourceScope(apiAudience, API_SCOPE);
    const grantId = await grant.save();

    const common = { accountId: account.id, client, grantId, gty: PASSWORD_GRANT, sessionUid, expiresWithSession: false };
    const at = new provider.AccessToken({ ...common, scope: API_SCOPE });
    at.resourceServer = new provider.ResourceServer(apiAudience, apiServerInfo);
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    let refreshToken: string | undefined;
    if (client.grantTypeAllowed('refresh_token')) {
      const rt = new provider.RefreshToken({
        ...common, scope: [...scopes, API_SCOPE].join(' '), resource: apiAudience, rotations: 0, expiresIn: ttl,
      });
      ctx.oidc.entity('RefreshToken', rt);
      refreshToken = await rt.save();
    }

    let idToken: string | undefined;
    if (scopes.includes('openid')) {
      const token = new provider.IdToken(accountClaims(account), { ctx });
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

  // The steps' own fields (accept_terms…) are parameters of this grant too; `email` is `username` here.
  const parameters = new Set(['username', 'password', 'scope', 'remember_me', ...Object.keys(signIn.fields)]);
  parameters.delete('email');
  provider.registerGrantType(PASSWORD_GRANT, passwordGrant, [...parameters]);
}
