// What an administrator does with the keys (API.md, /api/v1/admin/keys):
// list the signing keys, rotate (a new key of each algorithm, and a new
// cookie key), retire an old signing key. Operates on the SecretStore; the
// processes serving requests pick changes up through their key ring
// (key-ring.ts): this one at once, the others within KEYS_REFRESH_SECONDS.
//
// Cookie keys are not listed (they are no JWKs and nothing outside Gatehouse
// sees them). A rotation adds a new one, which signs new cookies at once,
// and keeps the one before it verifying (a cookie signed with it is re-signed
// with the new key on its next request); older cookie keys are deleted. So
// two rotations in a row also withdraw a cookie key that may have leaked.
import { randomBytes } from 'node:crypto';
import { KeyActiveError, NotFoundError } from '../errors.ts';
import type { SecretRecord, SecretStore } from '../storage/ports.ts';
import { ACCESS_TOKEN_ALG, ID_TOKEN_ALG, generateCookieKey, generateSigningKey } from './secrets.ts';

/** Cookie keys kept by a rotation: the new one that signs and its predecessor, so cookies set just before still verify. */
export const COOKIE_KEYS_KEPT = 2;

export interface SigningKeyInfo {
  kid: string;
  alg: string;
  use: string;
  /** `active`: the newest key of its algorithm, which signs; `previous`: still verifies until retired. */
  status: 'active' | 'previous';
  createdAt: Date;
}

/** A fresh, unguessable id: it becomes the `kid` in the JWKS. */
const newId = (prefix: string) => `${prefix}-${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;

function describe(records: SecretRecord[]): SigningKeyInfo[] {
  const seenAlgs = new Set<string>();
  // Newest first (SecretStore.findByKind): the first key of an algorithm signs.
  return records.map((record) => {
    const alg = String(record.material.alg);
    const status = seenAlgs.has(alg) ? 'previous' : 'active';
    seenAlgs.add(alg);
    return { kid: record.id, alg, use: String(record.material.use ?? 'sig'), status, createdAt: record.createdAt };
  });
}

export async function listSigningKeys(secrets: SecretStore): Promise<SigningKeyInfo[]> {
  return describe(await secrets.findByKind('signing-key'));
}

/** Add a new RS256 and ES256 signing key and a new cookie key; drop cookie keys beyond COOKIE_KEYS_KEPT. Returns the new signing keys. */
export async function rotateKeys(secrets: SecretStore): Promise<SigningKeyInfo[]> {
  const kids: string[] = [];
  for (const alg of [ID_TOKEN_ALG, ACCESS_TOKEN_ALG] as const) {
    const kid = newId(alg.toLowerCase());
    await secrets.insert({ id: kid, kind: 'signing-key', material: generateSigningKey(alg, kid) });
    kids.push(kid);
  }
  const cookieId = newId('cookie');
  await secrets.insert({ id: cookieId, kind: 'cookie-key', material: generateCookieKey() });
  const cookieKeys = await secrets.findByKind('cookie-key');
  // Only once the new key is stored, and never the new one (a concurrent rotation may have added its own after it).
  const keptIds = new Set([cookieId, ...cookieKeys.slice(0, COOKIE_KEYS_KEPT).map((k) => k.id)]);
  for (const key of cookieKeys) if (!keptIds.has(key.id)) await secrets.delete(key.id);
  return (await listSigningKeys(secrets)).filter((key) => kids.includes(key.kid));
}

/** Delete a signing key that no longer signs: NotFoundError for an unknown kid, KeyActiveError for the newest of its algorithm. */
export async function retireSigningKey(secrets: SecretStore, kid: string): Promise<void> {
  const key = (await listSigningKeys(secrets)).find((k) => k.kid === kid);
  if (!key) throw new NotFoundError('No such signing key.');
  if (key.status === 'active') throw new KeyActiveError(kid);
  if (!(await secrets.delete(kid))) throw new NotFoundError('No such signing key.');
}
