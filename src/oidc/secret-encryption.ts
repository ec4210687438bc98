// Private signing keys and cookie keys, encrypted at rest with ENCRYPTION_KEY
// (API.md, "Data at rest"): the SecretStore seen by the rest of Gatehouse
// holds the plain keys; what the database holds is `{ sealed }`, an AES-GCM
// value bound to the secret's id (services/encryption.ts).
//
// Opening checks every stored secret before anything else runs, so a wrong
// or missing key stops the start with one line instead of failing the first
// request, and encrypts secrets stored before ENCRYPTION_KEY was set.
// Without ENCRYPTION_KEY (development only: production requires it) secrets
// are stored as they are.
import { EncryptionKeyError, isSealed, type Cipher } from '../services/encryption.ts';
import type { SecretKind, SecretRecord, SecretStore } from '../storage/ports.ts';

const KINDS: SecretKind[] = ['signing-key', 'cookie-key', 'audit-key'];

function openMaterial(record: SecretRecord, cipher: Cipher | undefined): Record<string, unknown> {
  if (!isSealed(record.material.sealed)) return record.material;
  if (!cipher) throw new EncryptionKeyError('the stored signing and cookie keys are encrypted: set ENCRYPTION_KEY to the key that encrypted them');
  return JSON.parse(cipher.open(record.material.sealed, record.id)) as Record<string, unknown>;
}

const sealMaterial = (id: string, material: Record<string, unknown>, cipher: Cipher) => ({ sealed: cipher.seal(JSON.stringify(material), id) });

/** The store with encryption applied, after checking (and, with a key, encrypting) what is stored. */
export async function encryptSecretStore(secrets: SecretStore, cipher: Cipher | undefined): Promise<SecretStore> {
  for (const kind of KINDS) {
    for (const record of await secrets.findByKind(kind)) {
      const material = openMaterial(record, cipher);
      if (cipher && material === record.material) await secrets.update(record.id, sealMaterial(record.id, material, cipher));
    }
  }
  return {
    insert: (secret) => secrets.insert(cipher ? { ...secret, material: sealMaterial(secret.id, secret.material, cipher) } : secret),
    findByKind: async (kind) => (await secrets.findByKind(kind)).map((record) => ({ ...record, material: openMaterial(record, cipher) })),
    update: (id, material) => secrets.update(id, cipher ? sealMaterial(id, material, cipher) : material),
    delete: (id) => secrets.delete(id),
  };
}
