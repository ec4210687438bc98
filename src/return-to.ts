// Where a "Continue" or "Back to sign in" link may lead after a standalone
// account page (register, reset, verify): only back into a sign-in on this
// server. A return_to arrives in query strings, hidden fields and mail links,
// so whoever wrote the link chose it; anything but one of our own sign-in
// paths is dropped, never followed, so none of these pages is an open
// redirect. An authorization request (/oidc/auth?…) can only ever lead on to
// a redirect_uri its client registered, exactly as if the link had pointed
// at /oidc/auth itself.

/**
 * The account console. Standalone pages link it as their "Sign in" when no
 * sign-in is pending: the console is a client of this server, so opening it
 * signed out starts an authorization request and lands on the sign-in page
 * (there is no sign-in page of its own to link to without a request).
 */
export const ACCOUNT_CONSOLE = '/account';

/** Long enough for an authorization request with PKCE, state, nonce and a resource. */
export const RETURN_TO_MAX_LENGTH = 2048;

const INTERACTION_PATH = /^\/interaction\/[A-Za-z0-9_-]{1,128}$/;
const AUTHORIZATION_PATH = '/oidc/auth';
// Resolved against a throwaway origin: a value that leaves it (`//evil`,
// `/\evil`, `https://evil`) is refused.
const BASE = 'http://return-to.invalid';

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The value as a safe local path (normalized), or undefined. */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > RETURN_TO_MAX_LENGTH) return undefined;
  // Only a path: not scheme-relative, no backslashes or control characters browsers would reinterpret.
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || hasControlCharacter(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE || url.hash) return undefined;
  if (INTERACTION_PATH.test(url.pathname) && !url.search) return url.pathname;
  if (url.pathname === AUTHORIZATION_PATH && url.searchParams.has('client_id')) return `${url.pathname}${url.search}`;
  return undefined;
}

/** `path` with `return_to` appended when there is one. */
export function withReturnTo(path: string, returnTo: string | undefined): string {
  if (!returnTo) return path;
  return `${path}${path.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
}
