// Gatehouse's own client metadata flags and the rules that read them.
//
// - `first_party`: Gatehouse's own apps (password grant, no consent page).
// - `default_resource`: the resource a client's tokens are for when it names none.
// - `api_access`: a third-party client may be given tokens for the first-party
//   API (PUBLIC_URL/api, scope `api`); first-party clients always may.
// - `resource_server`: the client is an API that introspects other clients'
//   tokens (RFC 7662 §4: the server decides which protected resources may ask).
// - `role`: the role its client_credentials tokens act with (API.md, "Roles
//   and permissions"): a service client automating the admin API.
// - `require_mfa`: the client gets only sessions that used a second factor
//   (mfa-policy.ts asks for it at sign-in).
// - `require_pkce`: `false` lets a confidential client leave PKCE out and send
//   `nonce` instead (pkce-policy.ts), for libraries that cannot do PKCE.
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';

type Client = InstanceType<Provider['Client']>;

export const EXTRA_CLIENT_PROPERTIES = ['first_party', 'default_resource', 'api_access', 'resource_server', 'role', 'require_mfa', 'require_pkce'] as const;

const ROLE_NAME = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

const BOOLEAN_FLAGS = new Set<string>(['first_party', 'api_access', 'resource_server', 'require_mfa', 'require_pkce']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const flag = (client: Client, name: string) => client.metadata()[name] === true;

export const isFirstParty = (client: Client) => flag(client, 'first_party');
export const requiresMfa = (client: Client) => flag(client, 'require_mfa');
export const mayUseApi = (client: Client) => isFirstParty(client) || flag(client, 'api_access');

/**
 * Plain-http redirect URIs send codes and logout state over the network in
 * clear (RFC 9700 §2.1 / §4.1.1): refused, except loopback for native apps
 * (RFC 8252 §7.3, which oidc-provider already checks) and, on a development
 * server whose own PUBLIC_URL is loopback http, loopback for web clients too.
 */
function checkRedirectUris(metadata: Record<string, unknown>, loopbackWebAllowed: boolean): void {
  const native = metadata.application_type === 'native';
  for (const label of ['redirect_uris', 'post_logout_redirect_uris']) {
    const uris = metadata[label];
    if (!Array.isArray(uris)) continue;
    for (const uri of uris) {
      const parsed = typeof uri === 'string' ? URL.parse(uri) : null;
      if (parsed?.protocol !== 'http:') continue;
      const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
      if (loopback && (native || loopbackWebAllowed)) continue;
      throw new errors.InvalidClientMetadata(
        `${label} must use https; http is allowed only for loopback redirect URIs of native clients (application_type: native)`,
      );
    }
  }
}

/** extraClientMetadata for oidc-provider's configuration. */
export function extraClientMetadata(options: { loopbackWebAllowed: boolean }) {
  return {
    properties: [...EXTRA_CLIENT_PROPERTIES],
    // Called once per property for every client, with the whole metadata.
    validator(_ctx: unknown, key: string, value: unknown, metadata: Record<string, unknown>) {
      if (BOOLEAN_FLAGS.has(key) && value !== undefined && typeof value !== 'boolean') {
        throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
      }
      if (key === 'default_resource' && value !== undefined && typeof value !== 'string') {
        throw new errors.InvalidClientMetadata('default_resource must be a string');
      }
      if (key === 'role' && value !== undefined && (typeof value !== 'string' || value.length > 64 || !ROLE_NAME.test(value))) {
        throw new errors.InvalidClientMetadata('role must be a role name (a lower-case slug)');
      }
      // A public client's code can be redeemed by anyone who intercepts it,
      // and nonce does not stop that: PKCE is its only protection (RFC 9700 §2.1.1).
      if (key === 'require_pkce' && value === false && metadata.token_endpoint_auth_method === 'none') {
        throw new errors.InvalidClientMetadata('require_pkce: false is allowed only for confidential clients (a public client must use PKCE)');
      }
      if (key === EXTRA_CLIENT_PROPERTIES[0]) checkRedirectUris(metadata, options.loopbackWebAllowed);
    },
  };
}

/** features.introspection.allowedPolicy: the token's own client, or a resource server; others see `active: false`. */
export async function introspectionAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string }): Promise<boolean> {
  // Public clients hold no secret, so anyone could introspect as them.
  if (client.clientAuthMethod === 'none') throw new errors.UnauthorizedClient('public clients cannot use introspection');
  return token.clientId === client.clientId || flag(client, 'resource_server');
}

/**
 * features.revocation.allowedPolicy: a client revokes only its own tokens
 * (RFC 7009 §2.1). Another's is answered 200 and left alone, as for an
 * unknown token (§2.2), so the answer says nothing about the token.
 */
export async function revocationAllowed(_ctx: KoaContextWithOIDC, client: Client, token: { clientId?: string }): Promise<boolean> {
  return token.clientId === client.clientId;
}
