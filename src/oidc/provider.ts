import { Provider } from 'oidc-provider';
import type { Logger } from '../logger.ts';
import type { AccountService } from '../services/accounts.ts';
import type { RoleService } from '../services/roles.ts';
import type { SignIn } from '../sign-in/flow.ts';
import type { SessionService } from '../services/sessions.ts';
import { createSessionHooks } from './session-lifecycle.ts';
import type { Audit } from '../services/audit.ts';
import { auditProviderEvents } from './audit-events.ts';
import type { ClientStore, Store } from '../storage/ports.ts';
import type { Mfa } from '../services/mfa/mfa.ts';
import { createAdapterFactory } from './adapter.ts';
import { installCompareClientSecret } from './client-secrets.ts';
import { createConfiguration, type ProviderPages } from './configuration.ts';
import { createFindAccount, type OrganizationsOf } from './find-account.ts';
import { registerMfaGrant } from './mfa-grant.ts';
import { registerPasskeyGrant } from './passkey-grant.ts';
import { registerPasswordGrant } from './password-grant.ts';
import { answerUnauthorizedGrantTypes } from './unauthorized-grant-type.ts';
import { createResourceIndicators } from './resource-server.ts';
import { createOutgoingFetch, privateTargetsAllowed } from './outgoing-requests.ts';
import type { ServerSecrets } from './secrets.ts';
import { pinPublicOrigin, trustProxyHops } from '../public-origin.ts';
import { installBackchannelLogout } from './backchannel-logout.ts';
import { guardDeviceCodeEntry } from './device-flow.ts';
import type { RateLimits } from '../services/rate-limits.ts';

export interface ProviderDeps {
  issuer: string;
  apiAudience: string;
  store: Store;
  /**
   * The client store oidc-provider reads, usually the process's client cache
   * (client-cache.ts), created by the caller so that writes made elsewhere
   * in the process (CLIENTS_FILE, an admin API) go through the same cache.
   */
  clients: ClientStore;
  accounts: AccountService;
  roles: Pick<RoleService, 'permissionsOf'>;
  /** The `organizations` claim's value (services/organizations.ts claimsOf). */
  organizationsOf: OrganizationsOf;
  signIn: SignIn;
  sessions: SessionService;
  secrets: ServerSecrets;
  pages: ProviderPages;
  /** PUBLIC_URL, pinned as the origin of the provider's own contexts too (oidc_context.js builds its cookies on one). */
  publicUrl: string;
  trustProxyHops: number;
  /** CORS_ORIGINS (client-cors.ts). */
  corsOrigins?: readonly string[];
  logger: Logger;
  audit: Audit;
  /** ALLOW_PRIVATE_NETWORK_TARGETS (outgoing-requests.ts). */
  allowPrivateNetworkTargets: boolean;
  /** The device flow's limit on wrong user codes. */
  rateLimits: Pick<RateLimits, 'reserveDeviceCode'>;
  /** Second factors: the MFA grant finishes the sign-ins the password grant stopped for one. */
  mfa?: Pick<Mfa, 'pending' | 'passkeys'>;
}

function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

export function createProvider(deps: ProviderDeps): Provider {
  const resourceIndicators = createResourceIndicators(deps.apiAudience);
  const provider = new Provider(
    deps.issuer,
    createConfiguration({
      secrets: deps.secrets,
      adapter: createAdapterFactory(
        { oidc: deps.store.oidc, clients: deps.clients },
        createSessionHooks(deps.sessions, deps.audit),
      ),
      findAccount: createFindAccount(deps.accounts, deps.organizationsOf),
      findAccountRecord: (id) => deps.accounts.findById(id),
      permissionsOf: (role) => deps.roles.permissionsOf(role),
      organizationsOf: deps.organizationsOf,
      resourceIndicators,
      pages: deps.pages,
      secureCookies: deps.issuer.startsWith('https:'),
      developmentIssuer: isLoopbackHttp(deps.issuer),
      fetch: createOutgoingFetch({ allowPrivate: privateTargetsAllowed(deps.publicUrl, deps.allowPrivateNetworkTargets) }),
      corsOrigins: deps.corsOrigins ?? [],
    }),
  );
  trustProxyHops(provider, deps.trustProxyHops);
  pinPublicOrigin(provider, deps.publicUrl);
  installCompareClientSecret(provider, deps.clients);
  const grantDeps = {
    provider,
    signIn: deps.signIn,
    sessions: deps.sessions,
    apiAudience: deps.apiAudience,
    apiServerInfo: resourceIndicators.apiServerInfo,
    organizationsOf: deps.organizationsOf,
  };
  registerPasswordGrant(grantDeps);
  if (deps.mfa) {
    registerMfaGrant({ ...grantDeps, mfa: deps.mfa });
    registerPasskeyGrant({ ...grantDeps, mfa: deps.mfa });
  }
  answerUnauthorizedGrantTypes(provider);
  auditProviderEvents(provider, deps.audit);
  guardDeviceCodeEntry(provider, { rateLimits: deps.rateLimits, audit: deps.audit, pages: deps.pages });
  // Every way a session ends, RP-initiated logout included, sends logout tokens.
  deps.sessions.onEnded(installBackchannelLogout({ provider, oidc: deps.store.oidc, audit: deps.audit, logger: deps.logger }));
  // oidc-provider answers these as OAuth errors itself; the log is for operators.
  provider.on('server_error', (ctx, err) => deps.logger.error({ err, path: ctx.path }, 'oidc-provider server error'));
  return provider;
}
