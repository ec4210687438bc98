// Shared by the backends' OidcStore.listSessionHoldings: folds the rows they
// read (one per live record: a Session record, or a code or token with its clientId) into one
// SessionHolding per requested sessionUid, in the order asked.
import type { SessionHolding } from './ports.ts';

export function holdingsOf(sessionUids: string[], rows: Array<{ uid: unknown; clientId: unknown; session: boolean }>): SessionHolding[] {
  const byUid = new Map(sessionUids.map((uid) => [uid, { sessionUid: uid, signedIn: false, clientIds: new Set<string>() }]));
  for (const { uid, clientId, session } of rows) {
    const holding = typeof uid === 'string' ? byUid.get(uid) : undefined;
    if (!holding) continue;
    if (session) holding.signedIn = true;
    else if (typeof clientId === 'string') holding.clientIds.add(clientId);
  }
  return [...byUid.values()].map((h) => ({ sessionUid: h.sessionUid, signedIn: h.signedIn, clientIds: [...h.clientIds].sort() }));
}
