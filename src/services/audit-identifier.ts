// The keyed hash that stands for an address nobody has an account for in a
// failed sign-in's audit event (API.md: never the full attempted identifier).
// HMAC-SHA256 of the normalised address, so the same address typed twice
// gives the same value (an operator can see one address being tried from many
// places) while the value reveals nothing without the key.
//
// The key is derived from ENCRYPTION_KEY (HKDF, its own label) rather than
// kept in the database: a database dump then holds the hashes but not the
// key, and cannot be run against a list of addresses. ENCRYPTION_KEY is
// required in production; without it (development) a random key is kept in
// the SecretStore under a fixed id, so every instance on the database uses
// the same one. Setting ENCRYPTION_KEY later changes the hashes from then on.
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretStore } from '../storage/ports.ts';
import { normalizeEmail } from './email.ts';

const SECRET_ID = 'audit-identifier-key';

async function storedKey(secrets: SecretStore): Promise<Buffer> {
  // A fixed id makes the first-start race harmless: the loser reads the winner's key.
  await secrets.insert({ id: SECRET_ID, kind: 'audit-key', material: { value: randomBytes(32).toString('base64url') } });
  const [record] = await secrets.findByKind('audit-key');
  const value = record?.material.value;
  if (typeof value !== 'string') throw new Error('the stored audit identifier key is malformed');
  return Buffer.from(value, 'base64url');
}

export type IdentifierHasher = (address: string) => string;

export async function createIdentifierHasher(deps: { encryptionKey: string | undefined; secrets: SecretStore }): Promise<IdentifierHasher> {
  const key = deps.encryptionKey === undefined
    ? await storedKey(deps.secrets)
    : Buffer.from(hkdfSync('sha256', deps.encryptionKey, 'gatehouse', 'gatehouse audit identifier hash v1', 32));
  return (address) => `hmac-sha256:${createHmac('sha256', key).update(normalizeEmail(address)).digest('base64url')}`;
}
