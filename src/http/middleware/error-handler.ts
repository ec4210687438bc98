// The one place that turns errors into HTTP. AppErrors become API.md's
// envelope (storage drivers already turn an unreachable database into
// UnavailableError, so no driver code is known here); anything else is a bug:
// logged in full, answered with a bare INTERNAL so no stack trace or driver
// detail ever reaches a client.
import type { Middleware } from 'koa';
import { AppError, BadRequestError, InternalError, NotFoundError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { requestIdOf } from './request-id.ts';

export function errorEnvelope(err: AppError, requestId: string | undefined) {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details?.length ? { details: err.details } : {}),
      ...(requestId ? { request_id: requestId } : {}),
    },
    ...err.body,
  };
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
        if (appError.status >= 500) logger.error({ err, requestId: requestIdOf(ctx), method: ctx.method, path: ctx.path }, appError.message);
      } else if (isHttpClientError(err)) {
        appError = err.status === 404 ? new NotFoundError(err.message) : new BadRequestError(err.message, err.status);
      } else {
        logger.error({ err, requestId: requestIdOf(ctx), method: ctx.method, path: ctx.path }, 'unhandled error');
        appError = new InternalError();
      }
      ctx.status = appError.status;
      ctx.set(appError.headers);
      ctx.body = errorEnvelope(appError, requestIdOf(ctx));
    }
  };
}
