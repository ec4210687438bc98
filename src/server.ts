// Composition root: from a Config to a listening server and back down again.
// main.ts and the tests both start Gatehouse through startServer, so the
// tests exercise the wiring that production runs.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { RoleNotFoundError } from './errors.ts';
import type { Logger } from './logger.ts';
import { createApp } from './app.ts';
import { reportStartup } from './startup-report.ts';
import { openStore } from './storage/open-store.ts';
import type { Store } from './storage/ports.ts';
import { createServices } from './services/create-services.ts';
import { createMailer } from './services/mail-transport.ts';
import { foreignLogoOrigin } from './services/branding.ts';
import { bootstrapAdmin } from './services/bootstrap-admin.ts';
import { startExpiredPurge } from './services/purge-expired.ts';
import { createChangeFeed } from './services/change-feed.ts';
import { CLIENTS_TOPIC, createClientAdmin } from './services/client-admin.ts';
import { openKeyRing } from './oidc/key-ring.ts';
import { replaceProviderKeys } from './oidc/provider-keys.ts';
import { protectAtRest } from './oidc/at-rest.ts';
import { cacheClients } from './oidc/client-cache.ts';
import { readClientsFile, type ClientMetadata } from './oidc/client-metadata.ts';
import { createClientRules } from './oidc/client-rules.ts';
import { answerJwtIntrospection } from './oidc/jwt-introspection.ts';
import { createRenderer } from './pages/render.ts';
import { notFoundPage } from './pages/front-door.ts';
import { createProviderPages } from './pages/provider-pages.ts';
import { createSignInSteps } from './sign-in/steps.ts';
import { NO_METRICS } from './services/metrics.ts';
import { answerClusterPrimary, createPrometheusMetrics } from './metrics/prometheus.ts';
import { isClusterWorker } from './cluster.ts';
import { listenForMetrics, metricsUrlOf, type MetricsListener } from './metrics/listener.ts';
import { countTokenGrants } from './oidc/grant-metrics.ts';
import { createProviderSurface } from './surfaces/provider.ts';
import { createApiSurface } from './surfaces/api.ts';
import { createPagesSurface } from './surfaces/pages.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));

export interface RunningServer {
  server: Server;
  /** The METRICS_PORT listener, when configured. */
  metrics?: MetricsListener;
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
  const store = options.store ?? (await openStore({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir, onProgress: (message) => logger.info(message),
  }));
  try {
    return await serve(config, logger, options, await protectAtRest(store, config.encryptionKey), fileClients);
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
  const mailer = createMailer({ smtpUrl: config.smtpUrl, logger, from: config.mailFrom });
  if (config.branding.palette.adjusted) {
    logger.warn({ configured: config.branding.palette.configured, used: config.branding.palette.light.accent }, 'ACCENT_COLOR is too light to read on white (WCAG 4.5:1); a darker shade of it is used');
  }
  const prometheus = config.metrics ? createPrometheusMetrics({ pool: store.connections && (() => store.connections!()) }) : undefined;
  const metrics = prometheus ?? NO_METRICS;
  const services = await createServices({ config, store, mailer, logger, viewsDir: VIEWS_DIR, metrics });
  const { accounts } = services;
  if (config.admin) await bootstrapAdmin(accounts, config.admin, logger);

  // Keys are live: re-read every KEYS_REFRESH_SECONDS and swapped below, no restart.
  const keys = await openKeyRing(store.secrets, { refreshMs: config.keysRefreshMs, logger });
  const secrets = keys.current();
  const render = createRenderer({ viewsDir: VIEWS_DIR, branding: config.branding, signUpOpen: config.registrationEnabled });
  const signIn = createSignInSteps({ accounts, termsUrl: config.termsUrl, audit: services.audit, mfa: services.mfa, metrics });
  // One client cache per process, created here so that every write of a
  // client (CLIENTS_FILE, the admin API) goes through it; writes by other
  // instances reach it through the change feed.
  const clients = cacheClients(store.clients, { ttlMs: config.clientCacheMs });
  const changes = createChangeFeed({ changes: store.changes, intervalMs: config.changePollMs, logger });
  changes.watch(CLIENTS_TOPIC, () => clients.clear());
  await changes.poll();
  const provider = await createProviderSurface({
    config, logger, store, clients, services, secrets, signIn, changes,
    pages: createProviderPages(render),
    fileClients,
    extraClients: options.clients ?? [],
  });
  countTokenGrants(provider, metrics);
  const clientAdmin = createClientAdmin({
    clients, oidc: store.oidc, changes, rules: createClientRules(provider),
    roleExists: (name) => services.roles.get(name).then(() => true, (err: unknown) => {
      if (err instanceof RoleNotFoundError) return false;
      throw err;
    }),
  });
  const api = createApiSurface({ config, services, provider, store, keys, signIn, clientAdmin, clients });
  // Introspection of the API's JWTs judges them as /api/v1 does.
  answerJwtIntrospection(provider, { verifyAccessToken: api.tokenChecks.verifyAccessToken, sessions: services.sessions });
  const app = createApp({
    logger, store, provider, metrics,
    cookieKeys: secrets.cookieKeys,
    publicUrl: config.publicUrl,
    trustProxyHops: config.trustProxyHops,
    imageOrigins: [foreignLogoOrigin(config.branding, config.publicUrl)].filter((origin) => origin !== undefined),
    corsOrigins: config.corsOrigins,
    apiRouter: api.router,
    pages: createPagesSurface({ config, services, provider, signIn, render, apiRoutes: api.routes, tokenChecks: api.tokenChecks,
      admin: { clients: clientAdmin, secrets: store.secrets, keys, sessions: store.sessions },
    }),
    notFound: notFoundPage(render),
  });
  keys.onChange((next) => {
    replaceProviderKeys(provider, next);
    // Same keys as oidc-provider's cookies (see createApp).
    app.keys = [...next.cookieKeys];
  });
  const purge = startExpiredPurge({
    oidc: store.oidc, sessions: store.sessions, oneTimeTokens: store.oneTimeTokens, intervalMs: config.purgeIntervalMs, logger,
    audit: store.audit, auditRetentionDays: config.auditRetentionDays, factors: store.factors, organizations: store.organizations,
  });

  const server = createServer(app.callback());
  // Keep-alive connections must not hold a graceful shutdown open for long.
  server.keepAliveTimeout = 5_000;
  await reportStartup(config, logger, store.clients);
  // A worker of a cluster leaves METRICS_PORT to the primary (cluster.ts), which sums every worker's.
  if (prometheus && isClusterWorker()) answerClusterPrimary(prometheus.registry);
  const metricsListener = prometheus && config.metrics && !isClusterWorker() ? await listenForMetrics(prometheus.registry, config.metrics) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host, () => resolve());
  }).catch(async (err: unknown) => {
    await metricsListener?.close();
    throw err;
  });
  keys.start();
  if (metricsListener) logger.info(`metrics: ${metricsUrlOf(config.metrics!)}`);
  return {
    server, store, ...(metricsListener && { metrics: metricsListener }),
    close: closeOnce(server, [() => purge.stop(), () => keys.stop(), () => changes.stop()], [
      () => metricsListener?.close(), () => mailer.close(), () => store.close(),
    ]),
  };
}

/** Shut down once: stop the timers, stop accepting and drain requests, then release what they used. */
function closeOnce(server: Server, timers: Array<() => void>, resources: Array<() => unknown>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      for (const stop of timers) stop();
      // Stop accepting, let in-flight requests finish, drop idle keep-alives.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await drained;
      for (const release of resources) await release();
    })();
    return closing;
  };
}
