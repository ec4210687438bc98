// refresh_token with rotation: every request spends the refresh token the
// previous answer returned, so each connection is one chain of dependent
// requests. N connections are N independent chains (one sign-in each), which
// keeps the concurrency fixed while no token is ever used twice (a reuse would
// revoke the grant and show up as non-2xx answers).
import { authHeader, CLIENTS, passwordGrant, USERS } from '../fixtures.ts';
import { form } from '../load.ts';
import { issuerPath, type Scenario, type ServerUnderTest } from './scenario.ts';

interface Chain {
  token: string;
  /** Sent and not answered: when a run stops here, the server may have rotated the token already. */
  inFlight: boolean;
}

async function newChain(server: ServerUnderTest, slot: number): Promise<Chain> {
  const tokens = await passwordGrant(server.issuer, USERS[slot % USERS.length]!);
  if (!tokens.refresh_token) throw new Error('the password grant returned no refresh token');
  return { token: tokens.refresh_token, inFlight: false };
}

export const refresh: Scenario = {
  id: 'refresh',
  title: 'refresh (rotating)',
  connections: 8,
  goal: { kind: 'per-core', min: 500 },
  async prepare(server) {
    const chains: Chain[] = [];
    for (let slot = 0; slot < this.connections; slot += 1) chains.push(await newChain(server, slot));
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: authHeader(CLIENTS.firstParty) };
    return {
      url: server.url,
      connections: this.connections,
      // A run ends with requests in flight whose answers (the next tokens) are
      // never read: those chains start over with a new sign-in.
      async beforeRun() {
        for (const [slot, chain] of chains.entries()) if (chain.inFlight) chains[slot] = await newChain(server, slot);
      },
      requests: (slot) => [{
        method: 'POST',
        path: issuerPath(server, '/token'),
        headers,
        setupRequest(req) {
          chains[slot]!.inFlight = true;
          return { ...req, body: form({ grant_type: 'refresh_token', refresh_token: chains[slot]!.token }) };
        },
        onResponse(status, body) {
          if (status === 200) chains[slot] = { token: (JSON.parse(body) as { refresh_token: string }).refresh_token, inFlight: false };
        },
      }],
    };
  },
};
