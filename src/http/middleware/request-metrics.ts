// Every request's count and duration (services/metrics.ts), labelled with the
// route's template (`/api/v1/admin/users/:id`), never the raw path: ids in
// paths would make a series per account. @koa/router and oidc-provider's
// router both leave the template in ctx._matchedRoute; oidc-provider's is
// relative to its mount point. A request no route matched is "unmatched".
import type { Context, Middleware } from 'koa';
import type { Metrics } from '../../services/metrics.ts';

const OIDC_MOUNT = '/oidc';

export function routeTemplateOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched !== 'string') return 'unmatched';
  const underProvider = ctx.path.startsWith(`${OIDC_MOUNT}/`) && !matched.startsWith(`${OIDC_MOUNT}/`);
  return underProvider ? `${OIDC_MOUNT}${matched}` : matched;
}

export function requestMetrics(metrics: Pick<Metrics, 'httpRequest'>): Middleware {
  return async function countRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.httpRequest({ method: ctx.method, route: routeTemplateOf(ctx), status: ctx.status, seconds: (performance.now() - started) / 1000 });
    }
  };
}
