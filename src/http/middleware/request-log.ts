import type { Context, Middleware } from 'koa';
import type { Logger } from '../../logger.ts';
import { noteRequestClient } from '../../services/audit.ts';
import { requestIdOf } from './request-id.ts';

/** The client oidc-provider authenticated or loaded for this request, if it ran. */
function providerClientOf(ctx: Context): string | undefined {
  // oidc-provider defines ctx.oidc only on its own routes (initialize_app.js).
  if (!Object.hasOwn(ctx, 'oidc')) return undefined;
  const clientId = (ctx as Context & { oidc?: { client?: { clientId?: unknown } } }).oidc?.client?.clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

/**
 * One line per request. The path only: query strings carry codes and tokens.
 * The request id, IP, account, client and session come from the request's
 * context (logger.ts mixes them into every line written while serving it).
 */
export function requestLog(logger: Logger): Middleware {
  return async function logRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const clientId = providerClientOf(ctx);
      if (clientId) noteRequestClient(clientId);
      logger.info({ requestId: requestIdOf(ctx), method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
