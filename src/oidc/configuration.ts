// oidc-provider's configuration. Each setting carries its reason; anything not
// set here is oidc-provider's default (node_modules/oidc-provider/lib/helpers/defaults.js).
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { INTERACTION_SECONDS, sessionTtl } from './session-ttl.ts';
import { extraClientMetadata, introspectionAllowed, revocationAllowed } from './client-policies.ts';
import type { Account } from '../storage/ports.ts';
import { CLAIMS_BY_SCOPE, grantsOrganizations, ORGANIZATIONS_SCOPE, type OrganizationsOf } from './find-account.ts';
import { ID_TOKEN_ALG, type ServerSecrets } from './secrets.ts';
import { API_SCOPE, ACCESS_TOKEN_TTL_SECONDS, type createResourceIndicators } from './resource-server.ts';
import { loadFirstPartyGrant } from './first-party-consent.ts';
import { grantAmrOf } from './grant-amr.ts';
import { pkceRequired } from './pkce-policy.ts';
import { ACR_VALUES, gatehousePolicy } from './mfa-policy.ts';
import { clientBasedCors } from './client-cors.ts';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * DAY;

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;
type DeviceFlow = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;

/** The HTML oidc-provider renders itself; src/pages/provider-pages.ts draws it with our views. */
export interface ProviderPages {
  logoutSource: NonNullable<RpInitiatedLogout['logoutSource']>;
  postLogoutSuccessSource: NonNullable<RpInitiatedLogout['postLogoutSuccessSource']>;
  renderError: NonNullable<Configuration['renderError']>;
  /** The device flow's pages at /oidc/device (RFC 8628 §3.3): code entry (and its failures), confirmation, done. */
  userCodeInputSource: NonNullable<DeviceFlow['userCodeInputSource']>;
  userCodeConfirmSource: NonNullable<DeviceFlow['userCodeConfirmSource']>;
  successSource: NonNullable<DeviceFlow['successSource']>;
  /** The code-entry page refusing an IP that entered too many wrong codes (status and Retry-After already set). */
  userCodeRateLimited(ctx: KoaContextWithOIDC, retryAfterSeconds: number): Promise<void>;
}

export interface ConfigurationDeps {
  secrets: ServerSecrets;
  adapter: Configuration['adapter'];
  findAccount: Configuration['findAccount'];
  findAccountRecord: (id: string) => Promise<Account | undefined>;
  /** A role's permissions (services/roles.ts), for the tokens' `permissions` claim. */
  permissionsOf: (role: string) => Promise<string[]>;
  /** The account's memberships, for the `organizations` claim of API tokens. */
  organizationsOf: OrganizationsOf;
  resourceIndicators: ReturnType<typeof createResourceIndicators>;
  pages: ProviderPages;
  secureCookies: boolean;
  /** PUBLIC_URL is loopback http (a development server): web clients may use http loopback redirect URIs. */
  developmentIssuer: boolean;
  /** Every request oidc-provider makes (jwks_uri, back-channel logout…), under outgoing-requests.ts's rule. */
  fetch: NonNullable<Configuration['fetch']>;
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
    fetch: deps.fetch,
    jwks: { keys: deps.secrets.signingKeys as never },
    cookies: { keys: deps.secrets.cookieKeys, long: cookieOptions, short: cookieOptions, names: cookieNames(deps.secureCookies) },
    // amr is not among oidc-provider's default claims: under `openid` every ID
    // token says how the user signed in (pwd, otp, mfa); the session holds it.
    claims: { ...CLAIMS_BY_SCOPE, openid: [...CLAIMS_BY_SCOPE.openid, 'amr'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'role', ORGANIZATIONS_SCOPE, API_SCOPE],
    // The granted scopes' claims go in the ID token too (API.md), not only to
    // userinfo: Auth.js, express-openid-connect and passport read the user
    // from the ID token and never call userinfo. oidc-provider's default
    // (true) strips them whenever an access token for userinfo is issued.
    conformIdTokenClaims: false,
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
    // PKCE on every authorization-code request, confidential clients included
    // (OAuth 2.1 §4.1.1), unless registered with require_pkce: false (pkce-policy.ts).
    pkce: { required: pkceRequired },
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
      // API.md: with scope `organizations` the API token carries them too. An
      // API token's own scope names only the resource's scopes, so the
      // grant's OIDC scopes say whether the user granted this one.
      const organizations = grantsOrganizations(entities.Grant?.getOIDCScope()) ? await deps.organizationsOf(accountId) : undefined;
      return {
        sid: 'sessionUid' in token ? token.sessionUid : undefined,
        ...(Array.isArray(amr) && amr.length > 0 && { amr }),
        role,
        permissions: role === undefined ? undefined : await deps.permissionsOf(role),
        ...(organizations && { organizations }),
      };
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      ClientCredentials: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      // Long enough to walk to another screen, sign in and confirm (RFC 8628 §3.2 leaves it to us).
      DeviceCode: 10 * MINUTE,
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
      // RFC 9126 PAR at /oidc/request; a client registered with
      // require_pushed_authorization_requests must use it (oidc-provider checks).
      pushedAuthorizationRequests: { enabled: true },
      // RFC 9449: a token request with a DPoP proof gets tokens bound to its
      // key (cnf.jkt), refresh tokens of public clients included; /api/v1
      // checks the proofs (http/middleware/dpop-proof.ts, same algorithms).
      dPoP: { enabled: true },
      // RFC 8628, with Gatehouse's pages (device-flow.ts guards the code entry).
      deviceFlow: {
        enabled: true,
        userCodeInputSource: deps.pages.userCodeInputSource,
        userCodeConfirmSource: deps.pages.userCodeConfirmSource,
        successSource: deps.pages.successSource,
      },
      // Logout tokens to clients with a backchannel_logout_uri; when and how
      // often they are sent: backchannel-logout.ts.
      backchannelLogout: { enabled: true },
    },
  };
}
