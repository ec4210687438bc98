// oidc-provider's configuration. Each setting carries its reason; anything not
// set here is oidc-provider's default (node_modules/oidc-provider/lib/helpers/defaults.js).
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { INTERACTION_SECONDS, sessionTtl } from './session-ttl.ts';
import { extraClientMetadata, introspectionAllowed, revocationAllowed } from './client-policies.ts';
import type { Account } from '../storage/ports.ts';
import { CLAIMS_BY_SCOPE } from './find-account.ts';
import { ID_TOKEN_ALG, type ServerSecrets } from './secrets.ts';
import { API_SCOPE, ACCESS_TOKEN_TTL_SECONDS, type createResourceIndicators } from './resource-server.ts';
import { loadFirstPartyGrant } from './first-party-consent.ts';
import { grantAmrOf } from './grant-amr.ts';
import { ACR_VALUES, gatehousePolicy } from './mfa-policy.ts';
import { clientBasedCors } from './client-cors.ts';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * DAY;

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

/** The HTML oidc-provider renders itself; src/pages/provider-pages.ts draws it with our views. */
export interface ProviderPages {
  logoutSource: NonNullable<RpInitiatedLogout['logoutSource']>;
  postLogoutSuccessSource: NonNullable<RpInitiatedLogout['postLogoutSuccessSource']>;
  renderError: NonNullable<Configuration['renderError']>;
}

export interface ConfigurationDeps {
  secrets: ServerSecrets;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  findAccountRecord: (id: string) => Promise<Account | undefined>;
  /** A role's permissions (services/roles.ts), for the tokens' `permissions` claim. */
  permissionsOf: (role: string) => Promise<string[]>;
  resourceIndicators: ReturnType<typeof createResourceIndicators>;
  pages: ProviderPages;
  secureCookies: boolean;
  /** PUBLIC_URL is loopback http (a development server): web clients may use http loopback redirect URIs. */
  developmentIssuer: boolean;
  /** CORS_ORIGINS: browser origins allowed at the client endpoints besides each public client's redirect origins. */
  corsOrigins: readonly string[];
}

/**
 * Under https, prefixed names make browsers refuse the cookie unless it is
 * Secure (RFC 6265bis §4.1.3): a network attacker on plain http cannot plant
 * or overwrite it. `__Host-` also pins it to this host and Path=/, which only
 * the session cookie has: oidc-provider scopes the interaction cookie to
 * /interaction/<uid> and the resume cookie to /oidc/auth/<uid> (so parallel
 * sign-ins in two tabs keep apart), and those take `__Secure-`.
 */
function cookieNames(secure: boolean): { session: string; interaction: string; resume: string } {
  if (!secure) return { session: '_session', interaction: '_interaction', resume: '_interaction_resume' };
  return { session: '__Host-session', interaction: '__Secure-interaction', resume: '__Secure-interaction_resume' };
}

export function createConfiguration(deps: ConfigurationDeps): Configuration {
  const { resourceIndicators } = deps;
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, signed: true, secure: deps.secureCookies };
  return {
    adapter: deps.adapter,
    findAccount: deps.findAccount,
    jwks: { keys: deps.secrets.signingKeys as never },
    cookies: { keys: deps.secrets.cookieKeys, long: cookieOptions, short: cookieOptions, names: cookieNames(deps.secureCookies) },
    // amr is not among oidc-provider's default claims: under `openid` every ID
    // token says how the user signed in (pwd, otp, mfa); the session holds it.
    claims: { ...CLAIMS_BY_SCOPE, openid: [...CLAIMS_BY_SCOPE.openid, 'amr'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'role', API_SCOPE],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: ID_TOKEN_ALG,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // Gatehouse's flags (first_party, default_resource, api_access,
    // resource_server) and its redirect URI rules: client-policies.ts.
    extraClientMetadata: extraClientMetadata({ loopbackWebAllowed: deps.developmentIssuer }),
    // Only the code flow: implicit and hybrid put tokens in URLs (OAuth 2.0 Security BCP §2.1.2).
    responseTypes: ['code'],
    // PKCE on every authorization-code request, confidential clients included (OAuth 2.1 §4.1.1).
    pkce: { required: () => true },
    // Rotate on every use; oidc-provider revokes the grant when a consumed one comes back.
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || client.metadata().first_party === true),
    // `role` and `permissions` (API.md) say what the token's holder was
    // allowed when it was issued; the admin API reads the stored role on
    // every request instead, so they inform and never authorise there.
    extraTokenClaims: async (ctx: KoaContextWithOIDC, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      if (!accountId) {
        // client_credentials: the client's own role, when it has one.
        const role = token.kind === 'ClientCredentials' ? ctx.oidc.client?.metadata().role : undefined;
        return typeof role === 'string' ? { role, permissions: await deps.permissionsOf(role) } : undefined;
      }
      // The grants load the account already (findAccount); reuse it rather
      // than a second query on every token issued.
      const loaded = ctx.oidc.account as { accountId?: string; role?: string } | undefined;
      const role = loaded?.accountId === accountId && loaded.role ? loaded.role : (await deps.findAccountRecord(accountId))?.role;
      // How the user signed in (API.md: amr in API tokens too): the sign-in
      // this request finished, else what the code or refresh token carries.
      const { entities } = ctx.oidc;
      const amr = grantAmrOf(ctx) ?? entities.RefreshToken?.amr ?? entities.AuthorizationCode?.amr ?? entities.DeviceCode?.amr;
      return {
        sid: 'sessionUid' in token ? token.sessionUid : undefined,
        ...(Array.isArray(amr) && amr.length > 0 && { amr }),
        role,
        permissions: role === undefined ? undefined : await deps.permissionsOf(role),
      };
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 60 * MINUTE,
      Interaction: INTERACTION_SECONDS,
      Session: (_ctx, session) => sessionTtl(session),
      // A rotated refresh token inherits what was left of its predecessor's
      // life, so one sign-in lasts at most 30 days whatever the rotations.
      RefreshToken(ctx) {
        const rotated = ctx?.oidc.entities.RotatedRefreshToken;
        return rotated ? rotated.remainingTTL : REFRESH_TOKEN_TTL_SECONDS;
      },
      // The grant must outlive every refresh token issued from it.
      Grant: REFRESH_TOKEN_TTL_SECONDS,
    },
    loadExistingGrant: loadFirstPartyGrant,
    // API.md: userinfo lives at /oidc/userinfo (oidc-provider's default is /me).
    routes: { userinfo: '/userinfo' },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: gatehousePolicy() },
    acrValues: ACR_VALUES,
    renderError: deps.pages.renderError,
    clientBasedCORS: clientBasedCors(deps.corsOrigins),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: deps.pages.logoutSource,
        postLogoutSuccessSource: deps.pages.postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: resourceIndicators.defaultResource,
        getResourceServerInfo: resourceIndicators.getResourceServerInfo,
        useGrantedResource: resourceIndicators.useGrantedResource,
      },
      userinfo: { enabled: true },
    },
  };
}
