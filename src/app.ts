// createApp: the middleware order, in one place. Everything it needs is
// handed in, so tests build the same app main.ts serves.
import Koa, { type Middleware } from 'koa';
import type { Router } from '@koa/router';
import mount from 'koa-mount';
import type { Provider } from 'oidc-provider';
import type { Logger } from './logger.ts';
import type { Store } from './storage/ports.ts';
import { errorHandler } from './http/middleware/error-handler.ts';
import { requestLog } from './http/middleware/request-log.ts';
import { requestId } from './http/middleware/request-id.ts';
import { requestMetrics } from './http/middleware/request-metrics.ts';
import { NO_METRICS, type Metrics } from './services/metrics.ts';
import { securityHeaders } from './http/middleware/security-headers.ts';
import { apiNotFound } from './http/middleware/api-not-found.ts';
import { cors } from './http/middleware/cors.ts';
import { auditRequest } from './http/middleware/audit-request.ts';
import { createHealthRouter } from './http/routes/health.ts';
import { pinPublicOrigin, trustProxyHops } from './public-origin.ts';
import { metadataLocations } from './oidc/metadata-locations.ts';

export interface AppDeps {
  logger: Logger;
  store: Store;
  provider: Provider;
  cookieKeys: string[];
  /** PUBLIC_URL: the only origin URLs are built from. */
  publicUrl: string;
  trustProxyHops: number;
  /** /api/v1 (src/http/api/). */
  apiRouter: Router;
  /** The server-rendered pages, in order (src/pages/, wired by src/surfaces/pages.ts). */
  pages: Router[];
  /** Answers what nothing above did (src/pages/front-door.ts): a 404 page or JSON by Accept. */
  notFound: Middleware;
  /** Origins besides PUBLIC_URL's that every page loads images from (LOGO_URL's). */
  imageOrigins?: readonly string[];
  /** CORS_ORIGINS: browser origins allowed to call /api/v1 and /openapi.json. */
  corsOrigins?: readonly string[];
  /** Request counts and durations by route (METRICS_PORT); absent: not counted. */
  metrics?: Metrics;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // Same keys as oidc-provider's cookies, so our CSRF cookie rotates with them.
  app.keys = deps.cookieKeys;
  trustProxyHops(app, deps.trustProxyHops);
  pinPublicOrigin(app, deps.publicUrl);
  // Koa would print errors to stderr itself; the error handler logs them instead.
  app.silent = true;

  const health = createHealthRouter(deps.store);

  app.use(requestId());
  app.use(auditRequest());
  app.use(requestLog(deps.logger));
  // Outside the error handler, so a request that failed is counted with the status it was answered with.
  app.use(requestMetrics(deps.metrics ?? NO_METRICS));
  app.use(errorHandler(deps.logger));
  app.use(securityHeaders({ https: deps.publicUrl.startsWith('https:'), imageOrigins: deps.imageOrigins }));
  // Before everything that routes by path: the RFC 8414 locations become oidc-provider's discovery.
  app.use(metadataLocations());
  app.use(cors(deps.corsOrigins ?? []));
  app.use(health.routes()).use(health.allowedMethods());
  for (const pages of deps.pages) app.use(pages.routes()).use(pages.allowedMethods());
  app.use(deps.apiRouter.routes());
  app.use(apiNotFound());
  app.use(mount('/oidc', deps.provider));
  app.use(deps.notFound);
  return app;
}
