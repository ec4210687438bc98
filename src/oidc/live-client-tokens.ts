// An API access token is a JWT that outlives nothing it depends on: the
// session row is read on every request (require-bearer.ts), and so is its
// client, here. Deleting a client (admin API, or its removal from
// CLIENTS_FILE) deletes its grants and refresh tokens, but its JWTs carry
// no record to delete; without this check they would keep working until
// they expire. The read goes through the process's client cache, which the
// change feed clears when another instance writes a client.
import type { ClientStore } from '../storage/ports.ts';
import type { AccessTokenVerifier } from './access-token-verifier.ts';

export function refuseTokensOfDeletedClients(verify: AccessTokenVerifier, clients: Pick<ClientStore, 'find'>): AccessTokenVerifier {
  return async function verifyWithLiveClient(token) {
    const claims = await verify(token);
    if (claims?.clientId === undefined) return claims;
    return (await clients.find(claims.clientId)) ? claims : undefined;
  };
}
