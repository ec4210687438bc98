// RFC 8707 resource indicators. Gatehouse knows one resource server: its own
// first-party API at PUBLIC_URL/api. Tokens for it are RFC 9068 JWTs so the
// API (and anyone with the JWKS) can verify them without a lookup; tokens for
// userinfo stay opaque, as oidc-provider requires.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { mayUseApi } from './client-policies.ts';
import { ACCESS_TOKEN_ALG } from './secrets.ts';

/** Scopes the API resource server understands. */
export const API_SCOPE = 'api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

type Client = InstanceType<Provider['Client']>;

export function createResourceIndicators(apiAudience: string) {
  const apiServerInfo = {
    scope: API_SCOPE,
    audience: apiAudience,
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: ACCESS_TOKEN_ALG as typeof ACCESS_TOKEN_ALG } },
  };

  return {
    enabled: true,
    // First-party apps and clients registered with `default_resource` get API
    // tokens without asking; everyone else asks with `resource=`.
    defaultResource(_ctx: KoaContextWithOIDC, client: Client) {
      const metadata = client.metadata();
      if (typeof metadata.default_resource === 'string') return metadata.default_resource;
      return metadata.first_party === true ? apiAudience : undefined;
    },
    // The API is granted to first-party clients and those flagged
    // `api_access` only (client-policies.ts), by every grant: oidc-provider
    // asks here at authorization, code exchange, refresh and client_credentials.
    async getResourceServerInfo(_ctx: KoaContextWithOIDC, resource: string, client: Client) {
      if (resource !== apiAudience) throw new errors.InvalidTarget(`unknown resource ${resource}`);
      if (!mayUseApi(client)) throw new errors.InvalidTarget('this client may not be given tokens for the API');
      return apiServerInfo;
    },
    // A refresh or code exchange without `resource` keeps the resource the grant was made for.
    useGrantedResource: () => true,
    apiServerInfo,
  };
}
