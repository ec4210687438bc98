// The apps an account has let in (the account console's "Connected apps"):
// each client holding a grant of the account, with the scopes it was given,
// and the way to take that back. Withdrawing deletes the account's Grant
// records of the client with their codes and tokens: its refresh tokens stop
// working at once, its access tokens at the API's next check (a token of a
// deleted grant is refused by the provider; the API's own check reads the
// session, so its JWTs run out within their 15 minutes at most), and the next
// authorization request asks for consent again.
import { ClientNotFoundError } from '../errors.ts';
import type { ClientStore, OidcStore } from '../storage/ports.ts';
import type { Audit } from './audit.ts';

/** Gatehouse's own clients: signing in to Gatehouse itself, ended from the session list instead. */
const BUILT_IN = new Set(['gatehouse', 'gatehouse-console']);

export interface ConnectedApp {
  clientId: string;
  clientName: string | null;
  /** Every scope the account granted the client, over all its grants. */
  scopes: string[];
  /** When the oldest grant was made. */
  since: Date | null;
}

export interface ConnectedApps {
  list(accountId: string): Promise<ConnectedApp[]>;
  /** ClientNotFoundError when the account has granted this client nothing. */
  revoke(accountId: string, clientId: string): Promise<void>;
}

export function createConnectedApps(deps: { oidc: OidcStore; clients: Pick<ClientStore, 'find'>; audit: Pick<Audit, 'record'> }): ConnectedApps {
  return {
    async list(accountId) {
      const byClient = new Map<string, ConnectedApp>();
      for (const grant of await deps.oidc.listGrantsOfAccount(accountId)) {
        if (BUILT_IN.has(grant.clientId)) continue;
        const app = byClient.get(grant.clientId) ?? { clientId: grant.clientId, clientName: null, scopes: [], since: grant.issuedAt };
        app.scopes = [...new Set([...app.scopes, ...grant.scopes])];
        byClient.set(grant.clientId, app);
      }
      // A deleted client's grants went with it; one missing here is skipped.
      const apps = await Promise.all([...byClient.values()].map(async (app) => {
        const client = await deps.clients.find(app.clientId);
        if (!client) return undefined;
        const name = client.metadata.client_name;
        return { ...app, clientName: typeof name === 'string' ? name : null };
      }));
      return apps.filter((app) => app !== undefined);
    },

    async revoke(accountId, clientId) {
      if (BUILT_IN.has(clientId) || (await deps.oidc.revokeAccountClient(accountId, clientId)) === 0) throw new ClientNotFoundError();
      await deps.audit.record({ type: 'grant.revoked', subjectId: accountId, clientId, details: { client_id: clientId } });
    },
  };
}
