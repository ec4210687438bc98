// The JSON surface: /api/v1's routes, their authenticators by auth level,
// and the router that mounts them.
import type { Router } from '@koa/router';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import { adminClientRoutes } from '../http/api/admin/clients-routes.ts';
import { adminRolesRoutes } from '../http/api/admin/roles-routes.ts';
import { adminUsersRoutes } from '../http/api/admin/users-routes.ts';
import { authRoutes } from '../http/api/auth-routes.ts';
import { meRoutes } from '../http/api/me-routes.ts';
import { meMfaRoutes } from '../http/api/me-mfa-routes.ts';
import { webauthnRoutes } from '../http/api/webauthn-routes.ts';
import { meEventsRoutes } from '../http/api/me-events-routes.ts';
import { organizationRoutes } from '../http/api/organization-routes.ts';
import { adminOrganizationRoutes } from '../http/api/admin/organizations-routes.ts';
import { adminAuditRoutes } from '../http/api/admin/audit-routes.ts';
import type { ApiRoute } from '../http/api/route.ts';
import { createApiRouter } from '../http/api/router.ts';
import { createAdminAuth } from '../http/middleware/require-admin.ts';
import { createRequestTokenCheck, createSessionCheck, createUserAuth, type AccessTokenVerifier } from '../http/middleware/require-bearer.ts';
import { createDpopProofCheck, DPOP_REPLAY_RULE } from '../http/middleware/dpop-proof.ts';
import { createTokenCookies } from '../http/middleware/token-cookies.ts';
import { createAccessTokenVerifier } from '../oidc/access-token-verifier.ts';
import { createFirstPartyTokens } from '../oidc/first-party-tokens.ts';
import { refuseTokensOfDeletedClients } from '../oidc/live-client-tokens.ts';
import { explainRefusedToken } from '../oidc/token-refusal.ts';
import type { KeyRing } from '../oidc/key-ring.ts';
import { keysRoutes } from '../http/api/admin/keys-routes.ts';
import { createTokenEndpoint } from '../oidc/token-endpoint.ts';
import type { ClientAdmin } from '../services/client-admin.ts';
import type { Services } from '../services/create-services.ts';
import type { SignIn } from '../sign-in/flow.ts';
import type { ClientStore, Store } from '../storage/ports.ts';

export interface ApiSurface {
  routes: ApiRoute[];
  router: Router;
  /** The checks behind the user auth level, for the consoles' cookie-held tokens (src/pages/console/). */
  tokenChecks: TokenChecks;
}

export interface TokenChecks {
  verifyAccessToken: AccessTokenVerifier;
  liveSession: ReturnType<typeof createSessionCheck>;
}

export function createApiSurface(deps: {
  config: Readonly<Config>;
  services: Services;
  provider: Provider;
  /** For the DPoP proof replay cache, shared by every instance on the database. */
  store: Store;
  /** The live keys: the verifier follows them, and the admin key routes change them. */
  keys: KeyRing;
  signIn: SignIn;
  clientAdmin: ClientAdmin;
  /** The process's client cache: a token of a deleted client is refused. */
  clients: ClientStore;
}): ApiSurface {
  const { config, services, signIn } = deps;
  const { accounts, sessions } = services;
  const verifyAccessToken = refuseTokensOfDeletedClients(
    createAccessTokenVerifier({ secrets: () => deps.keys.current(), issuer: config.issuer, apiAudience: config.apiAudience }),
    deps.clients,
  );
  const cookies = createTokenCookies(config.publicUrl, config.corsOrigins);
  const verify = createRequestTokenCheck({
    verifyAccessToken,
    explainRefusal: (token) => explainRefusedToken(token, config.apiAudience),
    cookies,
    checkDpopProof: createDpopProofCheck({ publicUrl: config.publicUrl, replay: deps.store.createRateLimiter(DPOP_REPLAY_RULE) }),
  });
  const liveSession = createSessionCheck(sessions);
  const user = createUserAuth(verify, liveSession);
  // Clients as stored now (not the provider's cache): a client's role taken away holds at its next request.
  const admin = createAdminAuth({ verify, liveSession, clients: deps.store.clients, roles: services.roles });
  const routes = [
    ...authRoutes({
      registration: services.registration,
      passwordReset: services.passwordReset,
      tokens: createFirstPartyTokens({ tokenEndpoint: createTokenEndpoint(deps.provider), accounts }),
      sessions,
      signIn,
      roles: services.roles,
      passkeys: services.mfa.passkeys,
      cookies,
    }),
    ...meRoutes({ settings: services.settings, sessions, roles: services.roles }),
    ...meEventsRoutes({ audit: services.audit }),
    ...meMfaRoutes({ mfa: services.mfa }),
    ...webauthnRoutes({ mfa: services.mfa }),
    ...organizationRoutes({ organizations: services.organizations }),
    ...adminUsersRoutes({ adminUsers: services.adminUsers }),
    ...adminRolesRoutes({ roles: services.roles }),
    ...adminClientRoutes({ clients: deps.clientAdmin }),
    ...adminAuditRoutes({ audit: services.audit }),
    ...adminOrganizationRoutes({ organizations: services.organizations }),
    ...keysRoutes({ secrets: deps.store.secrets, keys: deps.keys }),
  ];
  return { routes, router: createApiRouter(routes, { user, admin }, services.audit), tokenChecks: { verifyAccessToken, liveSession } };
}
