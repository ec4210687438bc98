// Composition root: from a Config to a listening server and back down again.
// main.ts and the tests both start Gatehouse through startServer, so the
// tests exercise the wiring that production runs.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { createApp } from './app.ts';
import { openStore } from './storage/open-store.ts';
import type { Store } from './storage/ports.ts';
import { createServices } from './services/create-services.ts';
import { createMailer, defaultMailFrom } from './services/mail-transport.ts';
import { bootstrapAdmin } from './services/bootstrap-admin.ts';
import { startExpiredPurge } from './services/purge-expired.ts';
import { loadOrCreateSecrets } from './oidc/secrets.ts';
import { createProvider } from './oidc/provider.ts';
import { ClientsFileError, readClientsFile, upsertClients, type ClientMetadata } from './oidc/client-metadata.ts';
import { createRenderer } from './pages/render.ts';
import { createProviderPages } from './pages/provider-pages.ts';
import { createTokenEndpoint, FIRST_PARTY_API_CLIENT } from './oidc/token-endpoint.ts';
import { createFirstPartyTokens } from './oidc/first-party-tokens.ts';
import { createAccessTokenVerifier } from './oidc/access-token-verifier.ts';
import { createBearerAuth } from './http/middleware/require-bearer.ts';
import { createApiRouter } from './http/api/router.ts';
import { authRoutes } from './http/api/auth-routes.ts';
import { meRoutes } from './http/api/me-routes.ts';
import { createAccountPagesRouter } from './pages/account/account-pages.ts';
import { createDocsRouter } from './pages/api-docs.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));

export interface RunningServer {
  server: Server;
  store: Store;
  close(): Promise<void>;
}

export interface StartOptions {
  /** An already-open store (tests pass an in-memory one); otherwise opened from config. */
  store?: Store;
  /** Extra clients to upsert besides CLIENTS_FILE (tests). */
  clients?: ClientMetadata[];
  host?: string;
}

export async function startServer(config: Readonly<Config>, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  // Read before opening the database: a bad file fails at once, not after migrations.
  const fileClients = config.clientsFile ? await readClientsFile(config.clientsFile) : [];
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    return await serve(config, logger, options, store, fileClients);
  } catch (err) {
    // Release the database (and PGlite's lock on DATA_DIR) before reporting.
    if (!options.store) await store.close().catch(() => undefined);
    throw err;
  }
}

async function serve(
  config: Readonly<Config>,
  logger: Logger,
  options: StartOptions,
  store: Store,
  fileClients: ClientMetadata[],
): Promise<RunningServer> {
  const mailer = createMailer({ smtpUrl: config.smtpUrl, logger, from: defaultMailFrom(config.publicUrl) });
  const services = await createServices({ config, store, mailer, logger, viewsDir: VIEWS_DIR });
  const { accounts, sessions } = services;
  if (config.admin) await bootstrapAdmin(accounts, config.admin, logger);

  const secrets = await loadOrCreateSecrets(store.secrets);
  const render = createRenderer({ viewsDir: VIEWS_DIR });
  const provider = createProvider({
    issuer: config.issuer,
    apiAudience: config.apiAudience,
    store,
    accounts,
    sessions,
    secrets,
    pages: createProviderPages(render),
    trustProxy: config.trustProxy,
    logger,
    clientCacheMs: config.clientCacheMs,
  });

  const clients = [FIRST_PARTY_API_CLIENT as unknown as ClientMetadata, ...fileClients, ...(options.clients ?? [])];
  // oidc-provider's own validation, at start, so a bad clients file fails
  // here with its reason instead of at the first authorization request.
  for (const client of clients) {
    await provider.Client.validate(client as never).catch((err: Error & { error_description?: string }) => {
      const source = fileClients.includes(client) ? `CLIENTS_FILE ${config.clientsFile}: ` : '';
      throw new ClientsFileError(`${source}client ${client.client_id}: ${err.error_description ?? err.message}`);
    });
  }
  await upsertClients(store.clients, clients);

  const authenticate = createBearerAuth({
    verifyAccessToken: createAccessTokenVerifier({ secrets, issuer: config.issuer, apiAudience: config.apiAudience }),
    sessions,
  });
  const apiRoutes = [
    ...authRoutes({
      registration: services.registration,
      passwordReset: services.passwordReset,
      tokens: createFirstPartyTokens({ tokenEndpoint: createTokenEndpoint(provider), accounts }),
      sessions,
    }),
    ...meRoutes({ settings: services.settings, sessions }),
  ];
  const app = createApp({
    logger, store, provider, accounts, render,
    cookieKeys: secrets.cookieKeys,
    trustProxy: config.trustProxy,
    apiRouter: createApiRouter(apiRoutes, authenticate),
    docsRouter: createDocsRouter({ routes: apiRoutes, serverUrl: config.publicUrl, render }),
    accountPages: createAccountPagesRouter({ registration: services.registration, passwordReset: services.passwordReset, render }),
  });
  const purge = startExpiredPurge({
    oidc: store.oidc, sessions: store.sessions, oneTimeTokens: store.oneTimeTokens, intervalMs: config.purgeIntervalMs, logger,
  });

  const server = createServer(app.callback());
  // Keep-alive connections must not hold a graceful shutdown open for long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host, () => resolve());
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    store,
    close() {
      closing ??= (async () => {
        purge.stop();
        // Stop accepting, let in-flight requests finish, drop idle keep-alives.
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await drained;
        mailer.close();
        await store.close();
      })();
      return closing;
    },
  };
}
