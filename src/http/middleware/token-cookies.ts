// Cookie mode (API.md, "Browsers and other origins"): a first-party web app
// asks login or refresh for `use_cookies: true` and gets its access and
// refresh tokens as HttpOnly cookies its scripts cannot read, instead of in
// the body. The cookies:
// - access: `gatehouse_access` (`__Host-gatehouse_access` under https),
//   Path=/, Max-Age = the token's expires_in;
// - refresh: `gatehouse_refresh` (`__Secure-gatehouse_refresh` under https),
//   Path=/api/v1/auth, so only the auth routes ever receive it; Max-Age 30
//   days, the longest a sign-in lasts (the token's own expiry still rules).
//   `__Host-` needs Path=/ (RFC 6265bis §4.1.3.2), hence `__Secure-` here.
// Both HttpOnly and SameSite=Lax, Secure under https (ctx.secure follows PUBLIC_URL).
import type { Context } from 'koa';
import { ForbiddenError } from '../../errors.ts';

export const ACCESS_COOKIE = 'gatehouse_access';
export const REFRESH_COOKIE = 'gatehouse_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/** The refresh cookie's Max-Age: a sign-in's longest life (REFRESH_TOKEN_TTL_SECONDS). */
export const REFRESH_COOKIE_SECONDS = 30 * 24 * 60 * 60;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const accessName = (ctx: Context) => (ctx.secure ? `__Host-${ACCESS_COOKIE}` : ACCESS_COOKIE);
const refreshName = (ctx: Context) => (ctx.secure ? `__Secure-${REFRESH_COOKIE}` : REFRESH_COOKIE);

function cookieOptions(ctx: Context, path: string, maxAgeSeconds: number | undefined) {
  return {
    httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path, overwrite: true, signed: false,
    ...(maxAgeSeconds !== undefined && { maxAge: maxAgeSeconds * 1000 }),
  };
}

export interface TokenCookies {
  /** Set both cookies from a login's or refresh's tokens. */
  set(ctx: Context, tokens: { access_token: string; refresh_token: string; expires_in: number }): void;
  /** Expire both (logout). */
  clear(ctx: Context): void;
  access(ctx: Context): string | undefined;
  refresh(ctx: Context): string | undefined;
  /**
   * A state-changing request authenticated by cookie must come from PUBLIC_URL's
   * origin or one of CORS_ORIGINS (OWASP CSRF cheat sheet: verifying origin with
   * standard headers): the Origin header, else Referer's origin; neither is a
   * refusal, since every browser sends Origin on such requests. ForbiddenError.
   */
  assertAllowedOrigin(ctx: Context): void;
}

/** `publicUrl`: PUBLIC_URL, this site's origin (not ctx.origin, which a client's headers can sway). */
export function createTokenCookies(publicUrl: string, corsOrigins: readonly string[]): TokenCookies {
  const allowed = new Set([new URL(publicUrl).origin, ...corsOrigins]);
  const read = (ctx: Context, name: string) => {
    const value = ctx.cookies.get(name);
    return value && TOKEN.test(value) ? value : undefined;
  };
  return {
    set(ctx, tokens) {
      ctx.cookies.set(accessName(ctx), tokens.access_token, cookieOptions(ctx, '/', tokens.expires_in));
      ctx.cookies.set(refreshName(ctx), tokens.refresh_token, cookieOptions(ctx, REFRESH_COOKIE_PATH, REFRESH_COOKIE_SECONDS));
    },
    clear(ctx) {
      ctx.cookies.set(accessName(ctx), '', { ...cookieOptions(ctx, '/', undefined), expires: new Date(0) });
      ctx.cookies.set(refreshName(ctx), '', { ...cookieOptions(ctx, REFRESH_COOKIE_PATH, undefined), expires: new Date(0) });
    },
    access: (ctx) => read(ctx, accessName(ctx)),
    refresh: (ctx) => read(ctx, refreshName(ctx)),
    assertAllowedOrigin(ctx) {
      if (SAFE_METHODS.has(ctx.method)) return;
      const origin = ctx.get('Origin') || originOf(ctx.get('Referer'));
      if (origin && allowed.has(origin)) return;
      throw new ForbiddenError('A request signed in by cookie must come from this site or an allowed origin (CORS_ORIGINS).');
    },
  };
}

function originOf(referer: string): string | undefined {
  return referer && URL.canParse(referer) ? new URL(referer).origin : undefined;
}
