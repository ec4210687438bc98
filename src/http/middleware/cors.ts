// CORS for /api/v1 and /openapi.json (Fetch standard §3.2): browsers on the
// origins of CORS_ORIGINS may call them, with credentials (cookie mode);
// every other origin gets no CORS header at all, so its scripts cannot read
// an answer. oidc-provider answers CORS for its own endpoints (oidc/client-cors.ts).
import type { Context, Middleware } from 'koa';

const API_PREFIX = '/api/v1';

export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
// What the API reads from a request besides the safelisted headers.
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'DPoP', 'X-Device-Name', 'X-Device-Type', 'X-Request-Id'];
// What an SPA needs to read back: the id to quote, when to retry, why a token failed, DPoP's next nonce.
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'DPoP-Nonce'];
/** Seconds a browser may reuse a preflight; Chromium caps it at 7200 anyway. */
export const CORS_MAX_AGE_SECONDS = 600;

const isCorsPath = (path: string) => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`) || path === '/openapi.json';

export function cors(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  const allowedHeaders: Record<string, string> = {
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
  };

  function setAllowed(ctx: Context, origin: string): void {
    ctx.set({ 'Access-Control-Allow-Origin': origin, ...allowedHeaders });
  }

  return async function corsStep(ctx, next) {
    if (!isCorsPath(ctx.path)) return next();
    // The answer depends on Origin: a cache must not hand one origin's answer to another.
    ctx.vary('Origin');
    const origin = ctx.get('Origin');
    if (!origin || !allowed.has(origin)) return next();
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
      setAllowed(ctx, origin);
      ctx.set({
        'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS.join(', '),
        'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(', '),
        'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      });
      ctx.status = 204;
      return;
    }
    setAllowed(ctx, origin);
    try {
      await next();
    } finally {
      // An error answer (rendered below) must be readable too, or the SPA sees a network error instead of the envelope.
      if (!ctx.headerSent && !ctx.response.get('Access-Control-Allow-Origin')) setAllowed(ctx, origin);
    }
  };
}
