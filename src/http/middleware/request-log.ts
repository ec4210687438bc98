import type { Middleware } from 'koa';
import type { Logger } from '../../logger.ts';
import { requestIdOf } from './request-id.ts';

/** One line per request. The path only: query strings carry codes and tokens. */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info(
        { requestId: requestIdOf(ctx), method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  };
}
