// The sessions an account sees (GET /me/sessions): each live session row with
// the OAuth clients holding grants from it (API.md `session.clients`).
//
// A browser session's row can outlive the browser session itself while an
// offline grant from it lives (see session-lifecycle.ts); once neither the
// browser session nor any grant is left, there is nothing to show or end.
import type { ClientStore, OidcStore, SessionRecord, SessionStore } from '../storage/ports.ts';

export interface SessionClient {
  clientId: string;
  clientName: string | null;
}

export type SessionView = SessionRecord & { clients: SessionClient[] };

async function clientNames(clients: ClientStore, ids: Set<string>): Promise<Map<string, SessionClient>> {
  const found = await Promise.all([...ids].map(async (clientId) => {
    const name = (await clients.find(clientId))?.metadata.client_name;
    return { clientId, clientName: typeof name === 'string' ? name : null };
  }));
  return new Map(found.map((client) => [client.clientId, client]));
}

export async function listSessionsWithClients(
  deps: { sessions: SessionStore; oidc: OidcStore; clients: ClientStore },
  accountId: string,
  now: Date,
): Promise<SessionView[]> {
  const rows = await deps.sessions.findLiveByAccount(accountId, now);
  const holdings = new Map((await deps.oidc.listSessionHoldings(rows.map((row) => row.id))).map((h) => [h.sessionUid, h]));
  const shown = rows.flatMap((row) => {
    const holding = holdings.get(row.id);
    const clientIds = new Set(holding?.clientIds);
    if (row.clientId !== null) clientIds.add(row.clientId);
    if (row.kind === 'browser' && !holding?.signedIn && clientIds.size === 0) return [];
    return [{ row, clientIds: [...clientIds].sort() }];
  });
  const names = await clientNames(deps.clients, new Set(shown.flatMap((s) => s.clientIds)));
  return shown.map(({ row, clientIds }) => ({ ...row, clients: clientIds.map((id) => names.get(id)!) }));
}
