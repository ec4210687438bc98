// The store as the server and the CLI use it: signing and cookie keys and
// TOTP secrets encrypted with ENCRYPTION_KEY, client secrets hashed or sealed. Token ids
// are hashed in the adapter (adapter.ts, stored-ids.ts). Applied once, at
// open; a wrong or missing key rejects with EncryptionKeyError.
import { createCipher } from '../services/encryption.ts';
import { encryptFactorStore } from '../services/factor-encryption.ts';
import type { Store } from '../storage/ports.ts';
import { protectClientSecrets } from './client-secrets.ts';
import { encryptSecretStore } from './secret-encryption.ts';

export async function protectAtRest(store: Store, encryptionKey: string | undefined): Promise<Store> {
  const cipher = encryptionKey === undefined ? undefined : createCipher(encryptionKey);
  const secrets = await encryptSecretStore(store.secrets, cipher);
  const clients = await protectClientSecrets(store.clients, cipher);
  return { ...store, secrets, clients, factors: encryptFactorStore(store.factors, cipher) };
}
