// createApp: the middleware order, in one place. Everything it needs is
// handed in, so tests build the same app main.ts serves.
import Koa from 'koa';
import type { Router } from '@koa/router';
import mount from 'koa-mount';
import type { Provider } from 'oidc-provider';
import type { Logger } from './logger.ts';
import type { AccountService } from './services/accounts.ts';
import type { Store } from './storage/ports.ts';
import { errorHandler } from './http/middleware/error-handler.ts';
import { requestLog } from './http/middleware/request-log.ts';
import { securityHeaders } from './http/middleware/security-headers.ts';
import { apiNotFound } from './http/middleware/api-not-found.ts';
import { createHealthRouter } from './http/routes/health.ts';
import { createAssetsRouter } from './pages/assets.ts';
import type { Renderer } from './pages/render.ts';
import { createInteractionRouter } from './pages/interaction/router.ts';

export interface AppDeps {
  logger: Logger;
  store: Store;
  provider: Provider;
  accounts: AccountService;
  render: Renderer;
  cookieKeys: string[];
  trustProxy: boolean;
  /** /api/v1 (src/http/api/). */
  apiRouter: Router;
  /** /account/* pages. */
  accountPages: Router;
  /** GET /openapi.json and GET /docs (src/http/routes/docs.ts). */
  docsRouter?: Router;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // Same keys as oidc-provider's cookies, so our CSRF cookie rotates with them.
  app.keys = deps.cookieKeys;
  app.proxy = deps.trustProxy;
  // Koa would print errors to stderr itself; the error handler logs them instead.
  app.silent = true;

  const health = createHealthRouter(deps.store);
  const assets = createAssetsRouter();
  const interactions = createInteractionRouter({ provider: deps.provider, accounts: deps.accounts, render: deps.render });

  app.use(requestLog(deps.logger));
  app.use(errorHandler(deps.logger));
  app.use(securityHeaders());
  app.use(health.routes()).use(health.allowedMethods());
  app.use(assets.routes());
  app.use(interactions.routes()).use(interactions.allowedMethods());
  app.use(deps.accountPages.routes()).use(deps.accountPages.allowedMethods());
  app.use(deps.apiRouter.routes());
  if (deps.docsRouter) app.use(deps.docsRouter.routes()).use(deps.docsRouter.allowedMethods());
  app.use(apiNotFound());
  app.use(mount('/oidc', deps.provider));
  return app;
}
