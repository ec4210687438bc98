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
import type { ClientRecord, ClientStore, ClientWrite, PreviousClientSecret } from '../storage/ports.ts';

const HASHED = 'sha256:';
const SEALED = 'enc:';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** True when oidc-provider derives a key from the client secret (lib/models/client.js, symmetric key store). */
export function secretIsKey(metadata: Record<string, unknown>): boolean {
  if (metadata.token_endpoint_auth_method === 'client_secret_jwt') return true;
  return Object.entries(metadata).some(([name, value]) => name.endsWith('_alg') && typeof value === 'string' && /^(HS\d+|dir|A\d+(GCM)?KW)$/.test(value));
}

/** A secret as it is stored: hashed, or sealed when it is a key (clear without ENCRYPTION_KEY). */
function storedSecret(clientId: string, metadata: Record<string, unknown>, secret: string, cipher: Cipher | undefined): string {
  if (secret.startsWith(HASHED) || secret.startsWith(SEALED)) return secret;
  if (!secretIsKey(metadata)) return `${HASHED}${digest(secret).toString('hex')}`;
  return cipher ? `${SEALED}${cipher.seal(secret, `client:${clientId}`)}` : secret;
}

function protectMetadata(clientId: string, metadata: Record<string, unknown>, cipher: Cipher | undefined): Record<string, unknown> {
  const secret = metadata.client_secret;
  if (typeof secret !== 'string') return metadata;
  const stored = storedSecret(clientId, metadata, secret, cipher);
  return stored === secret ? metadata : { ...metadata, client_secret: stored };
}

/** A previous secret only ever authenticates by comparison (compareClientSecret), so it is always hashed. */
function protectPrevious(previous: PreviousClientSecret | null | undefined): PreviousClientSecret | null | undefined {
  if (!previous || previous.secret.startsWith(HASHED)) return previous;
  return { ...previous, secret: `${HASHED}${digest(previous.secret).toString('hex')}` };
}

function protect<T extends ClientWrite>(client: T, cipher: Cipher | undefined): T {
  const metadata = protectMetadata(client.clientId, client.metadata, cipher);
  const previousSecret = protectPrevious(client.previousSecret);
  if (metadata === client.metadata && previousSecret === client.previousSecret) return client;
  return { ...client, metadata, ...(previousSecret !== undefined && { previousSecret }) };
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

/**
 * oidc-provider compares `client.clientSecret` with what the client sent;
 * make it compare hashes, and accept the previous secret of a rotation until
 * it expires (read from the client store, through the process's cache, only
 * when the current secret did not match).
 */
export function installCompareClientSecret(provider: Provider, clients: Pick<ClientStore, 'find'>, now: () => number = Date.now): void {
  const prototype = provider.Client.prototype as unknown as {
    compareClientSecret(this: { clientId: string; clientSecret?: string }, actual: string): Promise<boolean>;
  };
  prototype.compareClientSecret = async function compareClientSecret(actual) {
    if (clientSecretMatches(this.clientSecret, actual)) return true;
    const previous = (await clients.find(this.clientId))?.previousSecret;
    return previous != null && previous.expiresAt.getTime() > now() && clientSecretMatches(previous.secret, actual);
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
    insert: (client) => clients.insert(protect(client, cipher)),
    update: (clientId, change) => {
      const previousSecret = protectPrevious(change.previousSecret);
      return clients.update(clientId, {
        ...change,
        metadata: protectMetadata(clientId, change.metadata, cipher),
        ...(previousSecret !== undefined && { previousSecret }),
      });
    },
    find: async (clientId) => reveal(await clients.find(clientId), cipher),
    findAll: async () => (await clients.findAll()).map((client) => reveal(client, cipher)!),
    list: async (page) => (await clients.list(page)).map((client) => reveal(client, cipher)!),
    delete: (clientId) => clients.delete(clientId),
  };
}
