import type { Middleware } from 'koa';
import { NotFoundError } from '../../errors.ts';

/** API.md: an unknown path under /api answers a JSON 404, with or without a token. */
export function apiNotFound(): Middleware {
  return async (ctx, next) => {
    if (ctx.path === '/api' || ctx.path.startsWith('/api/')) throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
    return next();
  };
}
