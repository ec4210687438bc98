// Response headers for every response, oidc-provider's included.
import type { Middleware } from 'koa';

// No `form-action`: Chromium applies it to the redirects that follow a form
// post, so it would block the 303 from a login/consent post to the client's
// redirect_uri (and from RP-initiated logout to post_logout_redirect_uri).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export function securityHeaders(): Middleware {
  return async function securityHeadersStep(ctx, next) {
    // Set before next(): oidc-provider's form_post response reads the CSP and
    // appends the sha256 of its inline auto-submit script to script-src
    // (lib/helpers/script_src_sha.js), which a later overwrite would undo.
    ctx.set(HEADERS);
    try {
      await next();
    } finally {
      // An error handler below may have reset the headers (ctx.onerror does);
      // put back any that went missing without touching amended ones.
      if (!ctx.headerSent) {
        for (const [name, value] of Object.entries(HEADERS)) {
          if (!ctx.response.get(name)) ctx.set(name, value);
        }
      }
    }
  };
}
