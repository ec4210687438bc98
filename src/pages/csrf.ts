// CSRF protection for the HTML form posts (double-submit token). The token
// lives in a signed, httpOnly, SameSite=Lax cookie and is echoed by the form
// in a hidden `_csrf` field. A cross-site page can neither read the cookie nor
// forge one (the signature needs app.keys), so it cannot produce a matching
// field; SameSite=Lax additionally keeps the cookie off cross-site posts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Renderer } from './render.ts';
import { formOf } from './form-body.ts';

export const CSRF_COOKIE = 'gatehouse.csrf';
// Under https (ctx.secure follows PUBLIC_URL): Secure, Path=/, no Domain, so
// a sibling subdomain or a plain-http attacker cannot plant one (RFC 6265bis §4.1.3.2).
const csrfCookieName = (ctx: Context) => (ctx.secure ? `__Host-${CSRF_COOKIE}` : CSRF_COOKIE);
export const CSRF_FIELD = '_csrf';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function readCookieToken(ctx: Context): string | undefined {
  const value = ctx.cookies.get(csrfCookieName(ctx), { signed: true });
  return value && TOKEN_PATTERN.test(value) ? value : undefined;
}

/**
 * Ensure the browser holds a token and expose it as ctx.state.csrfToken for
 * the templates. One token per browser session (not per page), so several
 * open tabs keep working.
 */
export function csrfToken(): Middleware {
  return async function csrfTokenStep(ctx, next) {
    let token = readCookieToken(ctx);
    if (!token) {
      token = randomBytes(32).toString('base64url');
      ctx.cookies.set(csrfCookieName(ctx), token, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        path: '/',
        overwrite: true,
      });
    }
    ctx.state.csrfToken = token;
    await next();
  };
}

/** Constant-time string equality; hashing first hides the length as well. */
export function tokensMatch(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Refuse an unsafe request whose `_csrf` field does not match the token in
 * the request's cookie. Runs after formBody(); compares against the cookie
 * the browser sent, never against a token csrfToken() just minted.
 */
export function requireCsrf(render: Renderer): Middleware {
  return async function requireCsrfStep(ctx, next) {
    if (SAFE_METHODS.has(ctx.method)) return next();
    const expected = readCookieToken(ctx);
    const submitted = formOf(ctx)[CSRF_FIELD];
    if (!expected || typeof submitted !== 'string' || !tokensMatch(expected, submitted)) {
      await render(ctx, 'error', {
        title: 'Request refused',
        message: 'This form has expired or was not sent from this site. Go back, reload the page and try again.',
      }, 403);
      return;
    }
    await next();
  };
}
