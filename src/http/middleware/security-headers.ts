// Response headers for every response, oidc-provider's included.
import type { Middleware } from 'koa';

// No `form-action`: Chromium applies it to the redirects that follow a form
// post, so it would block the 303 from a login/consent post to the client's
// redirect_uri (and from RP-initiated logout to post_logout_redirect_uri).
export function contentSecurityPolicy(imageOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    ['img-src', "'self'", 'data:', ...imageOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * The policy with one more origin images may load from, for a page that shows
 * one (the consent page's client logo): that page's answer only.
 */
export function allowImageOrigin(policy: string, origin: string): string {
  return policy.split('; ').map((directive) => (directive.startsWith('img-src ') && !directive.split(' ').includes(origin) ? `${directive} ${origin}` : directive)).join('; ');
}

const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

// One year, the value HSTS preload lists ask for (RFC 6797 §6.1.1).
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

const API_PREFIX = '/api/v1';

/**
 * `https`: PUBLIC_URL is https, so browsers are told never to use plain http here (RFC 6797).
 * `imageOrigins`: other origins every page may load images from (LOGO_URL's), nothing wider.
 */
export function securityHeaders(options: { https: boolean; imageOrigins?: readonly string[] }): Middleware {
  const base = { ...HEADERS, 'Content-Security-Policy': contentSecurityPolicy(options.imageOrigins) };
  const always: Record<string, string> = options.https ? { ...base, 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : base;
  return async function securityHeadersStep(ctx, next) {
    // API answers carry tokens and personal data: no cache may keep them
    // (RFC 9111 §5.2.2.5; RFC 6749 §5.1 asks it of token responses).
    const headers = ctx.path === API_PREFIX || ctx.path.startsWith(`${API_PREFIX}/`) ? { ...always, 'Cache-Control': 'no-store' } : always;
    // Set before next(): oidc-provider's form_post response reads the CSP and
    // appends the sha256 of its inline auto-submit script to script-src
    // (lib/helpers/script_src_sha.js), which a later overwrite would undo.
    ctx.set(headers);
    try {
      await next();
    } finally {
      // An error handler below may have reset the headers (ctx.onerror does);
      // put back any that went missing without touching amended ones.
      if (!ctx.headerSent) {
        for (const [name, value] of Object.entries(headers)) {
          if (!ctx.response.get(name)) ctx.set(name, value);
        }
      }
    }
  };
}
