// Introspection of the opaque access token of a code flow by the confidential
// client that holds it. (JWT access tokens for the API are not introspectable:
// oidc-provider answers unsupported_token_type; resource servers verify them
// with the JWKS.)
import { authHeader, CLIENTS, codeFlowTokens, USERS } from '../fixtures.ts';
import { form } from '../load.ts';
import { checkOnce, issuerPath, type Scenario } from './scenario.ts';

export const introspection: Scenario = {
  id: 'introspection',
  title: 'introspection (opaque token)',
  connections: 8,
  goal: { kind: 'per-core', min: 2500 },
  async prepare(server) {
    const { access_token: token } = await codeFlowTokens(server.issuer, USERS[0]!);
    const path = issuerPath(server, '/token/introspection');
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.web) };
    const body = form({ token, token_type_hint: 'access_token' });
    // An inactive answer is a 200 too: make sure the load measures real lookups.
    await checkOnce(`${server.url}${path}`, { method: 'POST', headers, body }, { body: (text) => (JSON.parse(text) as { active?: boolean }).active === true });
    return { url: server.url, connections: this.connections, requests: () => [{ method: 'POST', path, headers, body }] };
  },
};
