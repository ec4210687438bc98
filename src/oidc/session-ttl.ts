// How long oidc-provider keeps a browser session (ttl.Session), recomputed at
// every save: oidc-provider saves a session on every request that carries its
// cookie, with this TTL, and the cookie's expiry follows it (shared/session.js).
//
// - Signed in: an idle limit that each visit renews, under an absolute limit
//   counted from sign-in (loginTs) that no visit moves, so a stolen cookie
//   kept busy still dies 14 days after the sign-in (OWASP Session Management
//   Cheat Sheet, "Absolute Timeout" and "Idle Timeout").
// - Anonymous: oidc-provider stores a Session for visitors who never sign in
//   (the logout confirmation's form secret, for one); it only needs to last
//   as long as that form, so a burst of anonymous requests leaves nothing
//   long-lived behind.
const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

export const SESSION_ABSOLUTE_SECONDS = 14 * DAY;
export const SESSION_IDLE_SECONDS = 3 * DAY;
export const ANONYMOUS_SESSION_SECONDS = 10 * MINUTE;
/** The login and consent pages of one authorization request (Keycloak's default login timeout). */
export const INTERACTION_SECONDS = 30 * MINUTE;

export function sessionTtl(session: { accountId?: string; loginTs?: number }, nowSeconds = Math.floor(Date.now() / 1000)): number {
  if (!session.accountId) return ANONYMOUS_SESSION_SECONDS;
  const signedInAt = session.loginTs ?? nowSeconds;
  const left = signedInAt + SESSION_ABSOLUTE_SECONDS - nowSeconds;
  // oidc-provider wants a positive integer; a session past its limit gets one
  // last second rather than a fresh lease.
  return Math.max(1, Math.min(SESSION_IDLE_SECONDS, left));
}
