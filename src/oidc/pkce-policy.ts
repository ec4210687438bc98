// pkce.required for oidc-provider: PKCE (S256) on every authorization-code
// request (OAuth 2.1 §4.1.1), unless a confidential client was registered
// with `require_pkce: false` for a library that cannot send it
// (passport-openidconnect). Such a request must then be an OpenID request
// with a `nonce`, which binds the ID token to the browser that started it:
// RFC 9700 §2.1.1 accepts nonce in place of PKCE for confidential OpenID
// clients. oidc-provider calls this only when code_challenge is absent.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';

type Client = InstanceType<Provider['Client']>;

export function pkceRequired(ctx: KoaContextWithOIDC, client: Client): boolean {
  if (client.metadata().require_pkce !== false) return true;
  const { params } = ctx.oidc;
  const scopes = typeof params?.scope === 'string' ? params.scope.split(' ') : [];
  if (!scopes.includes('openid') || typeof params?.nonce !== 'string' || params.nonce === '') {
    throw new errors.InvalidRequest('without PKCE, the request must ask for scope openid and carry a nonce (RFC 9700 §2.1.1)');
  }
  return false;
}
