// Client secrets at rest (API.md, "Data at rest"). A secret that only has to
// be compared is stored as `sha256:<hex>`: client secrets are long random
// strings (CLIENTS_FILE requires 32 characters or more), so a plain hash
// cannot be reversed by guessing, and oidc-provider compares through
// Client#compareClientSecret, which is replaced here to hash what the client
// presents (installCompareClientSecret).
//
// A secret that oidc-provider uses as a key must stay recoverable: an HMAC
// key for `client_secret_jwt` (RFC 7523) or for HS256 responses, or a
// symmetric encryption key. It is stored sealed with ENCRYPTION_KEY
// (`enc:v1...`, bound to the client id) and opened when the client is read.
// Without ENCRYPTION_KEY (development only: production requires it) such a
// secret is stored as it is, like the signing keys.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Provider } from 'oidc-provider';
import { EncryptionKeyError, type Cipher } from '../services/encryption.ts';
import type { ClientRecord, ClientStore } from '../storage/ports.ts';

const HASHED = 'sha256:';
const SEALED = 'enc:';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** True when oidc-provider derives a key from the client secret (lib/models/client.js, symmetric key store). */
export function secretIsKey(metadata: Record<string, unknown>): boolean {
  if (metadata.token_endpoint_auth_method === 'client_secret_jwt') return true;
  return Object.entries(metadata).some(([name, value]) => name.endsWith('_alg') && typeof value === 'string' && /^(HS\d+|dir|A\d+(GCM)?KW)$/.test(value));
}

function protect(client: ClientRecord, cipher: Cipher | undefined): ClientRecord {
  const secret = client.metadata.client_secret;
  if (typeof secret !== 'string' || secret.startsWith(HASHED) || secret.startsWith(SEALED)) return client;
  let stored = secret;
  if (!secretIsKey(client.metadata)) stored = `${HASHED}${digest(secret).toString('hex')}`;
  else if (cipher) stored = `${SEALED}${cipher.seal(secret, `client:${client.clientId}`)}`;
  return { ...client, metadata: { ...client.metadata, client_secret: stored } };
}

function reveal(client: ClientRecord | undefined, cipher: Cipher | undefined): ClientRecord | undefined {
  const secret = client?.metadata.client_secret;
  if (!client || typeof secret !== 'string' || !secret.startsWith(SEALED)) return client;
  if (!cipher) throw new EncryptionKeyError(`client ${client.clientId} has an encrypted secret: set ENCRYPTION_KEY to the key that encrypted it`);
  return { ...client, metadata: { ...client.metadata, client_secret: cipher.open(secret.slice(SEALED.length), `client:${client.clientId}`) } };
}

/** Compare a presented secret with a stored one (hashed, or recoverable and held in clear in memory), in constant time. */
export function clientSecretMatches(stored: unknown, presented: string): boolean {
  if (typeof stored !== 'string') return false;
  const expected = stored.startsWith(HASHED) ? Buffer.from(stored.slice(HASHED.length), 'hex') : digest(stored);
  const actual = digest(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** oidc-provider compares `client.clientSecret` with what the client sent; make it compare hashes. */
export function installCompareClientSecret(provider: Provider): void {
  const prototype = provider.Client.prototype as unknown as { compareClientSecret(this: { clientSecret?: string }, actual: string): boolean };
  prototype.compareClientSecret = function compareClientSecret(actual) {
    return clientSecretMatches(this.clientSecret, actual);
  };
}

/**
 * The client store with secrets protected; stored secrets written before
 * (in clear) are protected now, so no clear secret outlives the upgrade.
 */
export async function protectClientSecrets(clients: ClientStore, cipher: Cipher | undefined): Promise<ClientStore> {
  for (const client of await clients.findAll()) {
    reveal(client, cipher); // A wrong or missing key fails the start here, not a later request.
    const protectedClient = protect(client, cipher);
    if (protectedClient !== client) await clients.upsert(protectedClient);
  }
  return {
    upsert: (client) => clients.upsert(protect(client, cipher)),
    find: async (clientId) => reveal(await clients.find(clientId), cipher),
    findAll: async () => (await clients.findAll()).map((client) => reveal(client, cipher)!),
    delete: (clientId) => clients.delete(clientId),
  };
}
