// Running oidc-provider's token endpoint in process, for /api/v1/auth/login
// and /refresh (issue #3: "the same password grant as the token endpoint, for
// a built-in first-party client"). The JSON request becomes the form POST an
// OAuth client would send, on a context of the provider's own Koa app, so the
// grant, client checks, rotation and reuse detection are exactly the token
// endpoint's; nothing is reimplemented and nothing leaks into the outer response.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import compose from 'koa-compose';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { MFA_GRANT } from './mfa-grant.ts';
import { PASSKEY_GRANT } from './passkey-grant.ts';

/** The built-in public client the JSON API signs in through (upserted at start). */
export const FIRST_PARTY_API_CLIENT = {
  client_id: 'gatehouse',
  client_name: 'Gatehouse',
  token_endpoint_auth_method: 'none',
  grant_types: ['password', 'refresh_token', MFA_GRANT, PASSKEY_GRANT],
  response_types: [],
  redirect_uris: [],
  first_party: true,
} as const;

// What the grant reads from the original request: device and network details.
const FORWARDED_HEADERS = ['user-agent', 'x-device-name', 'x-device-type', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'host'];

export interface TokenEndpointResult {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** The provider-side context, for what the grant recorded on it (signInRefusalOf). */
  context: object;
}

export type TokenEndpoint = (outer: Context, form: Record<string, string>) => Promise<TokenEndpointResult>;

export function createTokenEndpoint(provider: Provider): TokenEndpoint {
  // oidc-provider 9: the Provider is itself the Koa application.
  const handle = compose(provider.middleware);

  return async function tokenEndpoint(outer, form) {
    const payload = Buffer.from(new URLSearchParams({ client_id: FIRST_PARTY_API_CLIENT.client_id, ...form }).toString());
    // A detached socket stand-in carrying the outer peer's address, so ctx.ip
    // (and TRUST_PROXY_HOPS) behave as for the outer request. Handing over the real
    // socket would let this request's teardown close the client's connection.
    const peer = outer.req.socket;
    const socket = Object.assign(new Duplex({ read() {}, write(_chunk, _enc, done) { done(); } }), {
      remoteAddress: peer.remoteAddress,
      encrypted: (peer as { encrypted?: boolean }).encrypted === true,
    });
    const req = new IncomingMessage(socket as unknown as Socket);
    req.method = 'POST';
    req.url = '/token';
    for (const name of FORWARDED_HEADERS) {
      const value = outer.req.headers[name];
      if (typeof value === 'string') req.headers[name] = value;
    }
    req.headers['content-type'] = 'application/x-www-form-urlencoded';
    req.headers['content-length'] = String(payload.length);
    req.push(payload);
    req.push(null);

    const ctx = provider.createContext(req, new ServerResponse(req));
    await handle(ctx);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.response.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    return { status: ctx.status, body: (ctx.body ?? {}) as Record<string, unknown>, headers, context: ctx };
  };
}
