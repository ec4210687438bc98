// The one place that turns errors into HTTP. AppErrors become API.md's
// envelope (storage drivers already turn an unreachable database into
// UnavailableError, so no driver code is known here); anything else is a bug:
// logged in full, answered with a bare INTERNAL so no stack trace or driver
// detail ever reaches a client.
import type { Middleware } from 'koa';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

export function errorEnvelope(err: AppError) {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

/** Koa and its parsers mark client errors with `expose` and a 4xx status. */
function isHttpClientError(err: unknown): err is { status: number; message: string; expose: boolean } {
  const e = err as { status?: unknown; expose?: unknown };
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
}

export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      let appError: AppError;
      if (err instanceof AppError) {
        appError = err;
        // An outage (503 UNAVAILABLE) is the operator's business, not the client's.
        if (appError.status >= 500) logger.error({ err, method: ctx.method, path: ctx.path }, appError.message);
      } else if (isHttpClientError(err)) {
        appError = new AppError(err.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', err.status, err.message);
      } else {
        logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
        appError = new AppError('INTERNAL', 500, 'Something went wrong on our side.');
      }
      ctx.status = appError.status;
      ctx.set(appError.headers);
      ctx.body = errorEnvelope(appError);
    }
  };
}
