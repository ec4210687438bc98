// oidc-provider's clientBasedCORS: which browser origins may call the
// endpoints that name a client (token, userinfo, revocation, introspection).
// Discovery and JWKS stay open to every origin (oidc-provider's own rule).
import type { Configuration } from 'oidc-provider';

type ClientBasedCors = NonNullable<Configuration['clientBasedCORS']>;

/**
 * A public client (no secret: an SPA or a native app) may call from the
 * origin of any of its redirect URIs, where its code lands; any client may
 * call from an operator's CORS_ORIGINS. A confidential client calls from its
 * server, which sends no Origin and needs no CORS. `null` (sandboxed frames,
 * file: pages) is never an origin one can allow (Fetch standard §3.2).
 */
export function clientBasedCors(corsOrigins: readonly string[]): ClientBasedCors {
  const operatorOrigins = new Set(corsOrigins);
  return (_ctx, origin, client) => {
    if (origin === 'null') return false;
    if (operatorOrigins.has(origin)) return true;
    return client.clientAuthMethod === 'none' && (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
  };
}
