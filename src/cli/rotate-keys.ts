// `npm run rotate-keys [-- --retire]`: rotate the secrets a running Gatehouse
// loads at start (src/oidc/secrets.ts), in the database the same environment
// points at.
//
// Rotation is two steps, because a key cannot be withdrawn while something
// signed with it is still in use:
//   1. rotate-keys           inserts a new RS256 and ES256 signing key and a new
//                            cookie key. After a restart the new keys sign; the
//                            old ones stay in the JWKS and keep verifying.
//   2. rotate-keys --retire  once the old tokens have expired (ID and access
//                            tokens: an hour; cookies: the session lifetime),
//                            deletes all but the newest signing key of each
//                            algorithm and all but the newest two cookie keys.
// Servers read secrets at start only: restart every instance after each step.
import { randomBytes } from 'node:crypto';
import { parseConfigOrExit } from '../config.ts';
import { ACCESS_TOKEN_ALG, ID_TOKEN_ALG, generateCookieKey, generateSigningKey } from '../oidc/secrets.ts';
import { openStore } from '../storage/open-store.ts';
import { protectAtRest } from '../oidc/at-rest.ts';
import type { SecretStore } from '../storage/ports.ts';

/** Cookie keys kept by --retire: the signing one and its predecessor, so cookies set just before the rotation still verify. */
export const COOKIE_KEYS_KEPT = 2;

const USAGE = 'usage: rotate-keys [--retire]';

type Say = (line: string) => void;

/** A fresh, unguessable id: it becomes the `kid` in the JWKS. */
const newId = (prefix: string) => `${prefix}-${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;

/** Insert a new RS256 and ES256 signing key and a new cookie key; returns their ids. */
export async function rotateKeys(secrets: SecretStore, say: Say = () => {}): Promise<string[]> {
  const ids: string[] = [];
  for (const alg of [ID_TOKEN_ALG, ACCESS_TOKEN_ALG] as const) {
    const id = newId(alg.toLowerCase());
    await secrets.insert({ id, kind: 'signing-key', material: generateSigningKey(alg, id) });
    say(`added signing key ${id} (${alg})`);
    ids.push(id);
  }
  const cookieId = newId('cookie');
  await secrets.insert({ id: cookieId, kind: 'cookie-key', material: generateCookieKey() });
  say(`added cookie key ${cookieId}`);
  ids.push(cookieId);
  return ids;
}

/** Delete all but the newest signing key of each algorithm and all but the newest two cookie keys; returns the deleted ids. */
export async function retireKeys(secrets: SecretStore, say: Say = () => {}): Promise<string[]> {
  const deleted: string[] = [];
  const seenAlgs = new Set<string>();
  // findByKind lists newest first, so the first key of each algorithm is the one kept.
  for (const key of await secrets.findByKind('signing-key')) {
    const alg = String(key.material.alg);
    if (!seenAlgs.has(alg)) {
      seenAlgs.add(alg);
      continue;
    }
    if (await secrets.delete(key.id)) {
      say(`retired signing key ${key.id} (${alg})`);
      deleted.push(key.id);
    }
  }
  const cookieKeys = await secrets.findByKind('cookie-key');
  for (const key of cookieKeys.slice(COOKIE_KEYS_KEPT)) {
    if (await secrets.delete(key.id)) {
      say(`retired cookie key ${key.id}`);
      deleted.push(key.id);
    }
  }
  if (deleted.length === 0) say('nothing to retire');
  return deleted;
}

async function main(args: string[]): Promise<number> {
  if (args.some((a) => a !== '--retire')) {
    console.error(args.includes('--help') || args.includes('-h') ? USAGE : `unknown argument; ${USAGE}`);
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  const config = parseConfigOrExit();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    // New keys are encrypted like the server's; a wrong ENCRYPTION_KEY stops here.
    const { secrets } = await protectAtRest(store, config.encryptionKey);
    if (args.includes('--retire')) await retireKeys(secrets, console.log);
    else await rotateKeys(secrets, console.log);
  } finally {
    await store.close();
  }
  console.log('restart every Gatehouse instance to load the keys');
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`rotate-keys failed: ${(err as Error)?.message ?? String(err)}`);
      process.exit(1);
    },
  );
}
