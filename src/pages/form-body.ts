// application/x-www-form-urlencoded parsing for the HTML page routes only; the
// JSON API has its own parser. Oversized and non-form bodies are refused with
// the project's AppErrors (413, 415) before any handler runs.
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { PayloadTooLargeError, ValidationError, UnsupportedMediaTypeError, unstorableTextError } from '../errors.ts';
import { findUnstorableText } from '../services/storable-text.ts';

export type FormFields = Record<string, string>;

export const FORM_LIMIT_BYTES = 64 * 1024;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The parsed form of this request ({} when there was none). */
export function formOf(ctx: Context): FormFields {
  const body = (ctx.request as { body?: unknown }).body;
  return body && typeof body === 'object' ? (body as FormFields) : {};
}

function parseForm(text: string): FormFields {
  // First occurrence wins; Object.fromEntries defines own properties, so a
  // field named `__proto__` cannot reach the prototype.
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (!fields.has(key)) fields.set(key, value);
  }
  return Object.fromEntries(fields);
}

async function readBody(ctx: Context, limit: number): Promise<string> {
  const charset = ctx.request.charset;
  if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    throw new UnsupportedMediaTypeError(`${FORM_TYPE} in UTF-8`);
  }
  const encoding = ctx.get('Content-Encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') {
    throw new UnsupportedMediaTypeError(`${FORM_TYPE} without Content-Encoding`);
  }
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('Content-Length') || undefined, encoding: 'utf-8' });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limit);
    throw new ValidationError([], 'The request body could not be read.', err);
  }
}

export function formBody(options: { limit?: number } = {}): Middleware {
  const limit = options.limit ?? FORM_LIMIT_BYTES;
  return async function formBodyStep(ctx, next) {
    let fields: FormFields = {};
    // ctx.is() is null when the request has no body at all.
    const kind = ctx.is(FORM_TYPE);
    if (kind === false) throw new UnsupportedMediaTypeError(FORM_TYPE);
    if (kind) fields = parseForm(await readBody(ctx, limit));
    const unstorable = findUnstorableText(fields);
    if (unstorable) throw unstorableTextError(unstorable);
    (ctx.request as { body?: unknown }).body = fields;
    await next();
  };
}
