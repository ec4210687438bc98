// RFC 8414 §3.1: for an issuer with a path (PUBLIC_URL/oidc), the
// authorization server metadata lives at the origin's
// /.well-known/oauth-authorization-server followed by that path, and
// oauth4webapi and openid-client look there with `algorithm: 'oauth2'`
// (openid-configuration/oidc is the same insertion some libraries use for
// OIDC). oidc-provider serves its document under its own mount only, so
// these locations are answered by oidc-provider's discovery route itself:
// the same document, the same CORS headers, no copy that could drift.
import type { Middleware } from 'koa';

const ISSUER_PATH = '/oidc';
const DISCOVERY = `${ISSUER_PATH}/.well-known/openid-configuration`;
const LOCATIONS = new Set([`/.well-known/oauth-authorization-server${ISSUER_PATH}`, `/.well-known/openid-configuration${ISSUER_PATH}`]);

export function metadataLocations(): Middleware {
  return async function metadataAtWellKnown(ctx, next) {
    if (LOCATIONS.has(ctx.path)) ctx.path = DISCOVERY;
    await next();
  };
}
