// JSON bodies for the API: one parser with the failures API.md names
// (415 not JSON, 413 over the limit, 400 MALFORMED_JSON) instead of a generic
// body parser's 500s and HTML.
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, unstorableTextError } from '../../errors.ts';
import { findUnstorableText } from '../../services/storable-text.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

export function jsonBody(limit = DEFAULT_BODY_LIMIT): Middleware {
  return async (ctx, next) => {
    if (!hasBody(ctx.req.headers)) {
      ctx.request.body = undefined;
      return next();
    }
    if (!ctx.request.is('application/json', 'application/*+json')) throw new UnsupportedMediaTypeError('application/json');
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.req.headers['content-length'] });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeError(limit);
      throw new MalformedJsonError();
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new MalformedJsonError();
    }
    const unstorable = findUnstorableText(body);
    if (unstorable) throw unstorableTextError(unstorable);
    ctx.request.body = body;
    return next();
  };
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
