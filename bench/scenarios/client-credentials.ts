// client_credentials for a confidential service client: an opaque token,
// stored by the adapter. The anchor is the same request against a bare
// oidc-provider with its in-memory adapter (bare-provider.ts).
import { authHeader, CLIENTS } from '../fixtures.ts';
import { form } from '../load.ts';
import { checkOnce, issuerPath, type Scenario } from './scenario.ts';

export const clientCredentials: Scenario = {
  id: 'client-credentials',
  title: 'client_credentials',
  connections: 8,
  anchor: { kind: 'bare-provider' },
  goal: { kind: 'ratio', min: 0.8 },
  async prepare(server) {
    const path = issuerPath(server, '/token');
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.service) };
    const body = form({ grant_type: 'client_credentials' });
    await checkOnce(`${server.url}${path}`, { method: 'POST', headers, body });
    return { url: server.url, connections: this.connections, requests: () => [{ method: 'POST', path, headers, body }] };
  },
};
