// The OIDC surface: oidc-provider under /oidc, with its clients validated and
// stored before the first request.
import type { Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ClientsFileError, syncConfiguredClients, type ClientMetadata } from '../oidc/client-metadata.ts';
import type { ProviderPages } from '../oidc/configuration.ts';
import { createProvider } from '../oidc/provider.ts';
import type { ServerSecrets } from '../oidc/secrets.ts';
import { FIRST_PARTY_API_CLIENT } from '../oidc/token-endpoint.ts';
import { consoleAvailable, consoleClientMetadata } from '../oidc/console-client.ts';
import { CLIENTS_TOPIC } from '../services/client-admin.ts';
import type { Services } from '../services/create-services.ts';
import type { SignIn } from '../sign-in/flow.ts';
import type { ChangeFeed } from '../services/change-feed.ts';
import type { ClientStore, Store } from '../storage/ports.ts';

export interface ProviderSurfaceDeps {
  config: Readonly<Config>;
  logger: Logger;
  store: Store;
  /** The process's client cache: oidc-provider reads through it, and the clients below are written through it. */
  clients: ClientStore;
  services: Services;
  secrets: ServerSecrets;
  signIn: SignIn;
  pages: ProviderPages;
  /** From CLIENTS_FILE: a bad one is reported with the file's name. */
  fileClients: ClientMetadata[];
  /** Extra clients (tests), managed like the file's. */
  extraClients: ClientMetadata[];
  changes: ChangeFeed;
}

export async function createProviderSurface(deps: ProviderSurfaceDeps): Promise<Provider> {
  const { config, services, fileClients } = deps;
  const provider = createProvider({
    issuer: config.issuer,
    apiAudience: config.apiAudience,
    store: deps.store,
    clients: deps.clients,
    accounts: services.accounts,
    roles: services.roles,
    organizationsOf: (accountId) => services.organizations.claimsOf(accountId),
    sessions: services.sessions,
    signIn: deps.signIn,
    secrets: deps.secrets,
    pages: deps.pages,
    publicUrl: config.publicUrl,
    trustProxyHops: config.trustProxyHops,
    corsOrigins: config.corsOrigins,
    logger: deps.logger,
    audit: services.audit,
    mfa: services.mfa,
    allowPrivateNetworkTargets: config.allowPrivateNetworkTargets,
    rateLimits: services.rateLimits,
  });

  const builtin = FIRST_PARTY_API_CLIENT as unknown as ClientMetadata;
  // The consoles' redirect URI is PUBLIC_URL's: plain http off loopback is
  // refused for any web client, so such a server runs without the consoles.
  const consoles = consoleAvailable(config.publicUrl) ? [consoleClientMetadata(config.publicUrl) as unknown as ClientMetadata] : [];
  if (consoles.length === 0) deps.logger.warn('PUBLIC_URL is plain http off loopback: the account and admin consoles are off');
  const clients = [builtin, ...consoles, ...fileClients, ...deps.extraClients];
  // oidc-provider's own validation, at start, so a bad clients file fails
  // here with its reason instead of at the first authorization request.
  for (const client of clients) {
    await provider.Client.validate(client as never).catch((err: Error & { error_description?: string }) => {
      const source = fileClients.includes(client) ? `CLIENTS_FILE ${config.clientsFile}: ` : '';
      throw new ClientsFileError(`${source}client ${client.client_id}: ${err.error_description ?? err.message}`);
    });
  }
  const deleted = await syncConfiguredClients(
    { clients: deps.clients, oidc: deps.store.oidc, logger: deps.logger },
    { builtin: [builtin, ...consoles], file: [...fileClients, ...deps.extraClients] },
  );
  // Instances still running the old file must stop accepting a removed client too.
  if (deleted) await deps.changes.publish(CLIENTS_TOPIC);
  return provider;
}
