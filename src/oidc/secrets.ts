// Signing and cookie keys: generated on first start, persisted in the store,
// so a restart keeps sessions and tokens valid.
//
// Rotation (key-management.ts) inserts newer keys: the newest key of each
// algorithm signs, older ones stay published in the JWKS and keep verifying
// until they are retired. Each process follows the stored keys (key-ring.ts).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { SecretStore } from '../storage/ports.ts';

/** RS256 for ID tokens: the one algorithm every OpenID relying party must accept (OIDC Core §15.1). */
export const ID_TOKEN_ALG = 'RS256';
/**
 * ES256 for access tokens: signing is an order of magnitude cheaper than RSA
 * (every token issued pays it), tokens are smaller, and JOSE libraries verify
 * it everywhere.
 */
export const ACCESS_TOKEN_ALG = 'ES256';

export interface ServerSecrets {
  /** Private JWKs, newest first. */
  signingKeys: Record<string, unknown>[];
  /** Cookie signing keys, newest first (keygrip signs with the first). */
  cookieKeys: string[];
}

export function generateSigningKey(alg: typeof ID_TOKEN_ALG | typeof ACCESS_TOKEN_ALG, kid: string): Record<string, unknown> {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

export function generateCookieKey(): Record<string, unknown> {
  return { value: randomBytes(32).toString('base64url') };
}

/** Load the secrets, creating the initial ones on first start (fixed ids make that safe for concurrent starts). */
export async function loadOrCreateSecrets(secrets: SecretStore): Promise<ServerSecrets> {
  if ((await secrets.findByKind('signing-key')).length === 0) {
    for (const alg of [ID_TOKEN_ALG, ACCESS_TOKEN_ALG] as const) {
      const id = `initial-${alg.toLowerCase()}`;
      await secrets.insert({ id, kind: 'signing-key', material: generateSigningKey(alg, id) });
    }
  }
  if ((await secrets.findByKind('cookie-key')).length === 0) {
    await secrets.insert({ id: 'initial-cookie', kind: 'cookie-key', material: generateCookieKey() });
  }
  const signing = await secrets.findByKind('signing-key');
  const cookies = await secrets.findByKind('cookie-key');
  return {
    signingKeys: signing.map((s) => s.material),
    cookieKeys: cookies.map((s) => String(s.material.value)),
  };
}
