// The built-in client the consoles (/account, /admin) sign in through: the
// authorization-code flow with PKCE, like any web app, so a console session
// is a browser session of the provider and carries the same tokens the API
// checks. Public (no secret): the code is exchanged in process, never over
// the network, and PKCE binds it to the browser that started the flow; a
// secret would add a key to store and rotate without guarding anything more.
import { API_SCOPE } from './resource-server.ts';

export const CONSOLE_CLIENT_ID = 'gatehouse-console';

/** Where the provider sends the browser back with the code. */
export const consoleRedirectUri = (publicUrl: string) => `${publicUrl}/console/callback`;

/** What the consoles ask for: an ID token, a refresh token, and API access. */
export const CONSOLE_SCOPE = `openid offline_access ${API_SCOPE}`;

export function consoleClientMetadata(publicUrl: string) {
  return {
    client_id: CONSOLE_CLIENT_ID,
    client_name: 'Gatehouse console',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [consoleRedirectUri(publicUrl)],
    post_logout_redirect_uris: [`${publicUrl}/`],
    // The ID token always says when the person signed in (re-authentication for destructive actions).
    require_auth_time: true,
    first_party: true,
    api_access: true,
  };
}

/** Whether a server at this PUBLIC_URL can have the consoles: https, or http on loopback (client-policies.ts). */
export function consoleAvailable(publicUrl: string): boolean {
  const { protocol, hostname } = new URL(publicUrl);
  return protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}
