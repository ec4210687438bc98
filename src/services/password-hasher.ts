import { argon2id, hash, needsRehash, verify, type HashOptions } from 'argon2';
import { normalizePassword } from './password-policy.ts';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash this hasher cannot read. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with weaker parameters than the current ones. */
  needsRehash(hash: string): boolean;
  /**
   * Spend the time of a real verification and return false. Used when the
   * account does not exist, so unknown email and wrong password cannot be told
   * apart by timing.
   */
  verifyDummy(password: string): Promise<false>;
}

export async function createPasswordHasher(params: Argon2Params): Promise<PasswordHasher> {
  const options: HashOptions = { type: argon2id, ...params };
  // A hash of a random value made with the current parameters, so the dummy
  // verification costs exactly what a real one does.
  const dummyHash = await hash(crypto.randomUUID(), options);

  const check = (stored: string, password: string) => verify(stored, password).catch(() => false);

  // Every password is hashed and compared in its NFKC form (password-policy.ts),
  // so the same password typed as NFC or NFD (or with full-width letters) matches.
  return {
    hash: (password) => hash(normalizePassword(password), options),
    async verify(stored, password) {
      const normalized = normalizePassword(password);
      if (await check(stored, normalized)) return true;
      // A hash made before passwords were normalised holds the raw form; only a
      // password that NFKC changes can be one of those.
      return normalized !== password && check(stored, password);
    },
    needsRehash: (stored) => needsRehash(stored, options),
    async verifyDummy(password) {
      // As many argon2 runs as verify() spends on a wrong password, else a
      // password NFKC changes would tell a known address from an unknown one.
      const normalized = normalizePassword(password);
      await check(dummyHash, normalized);
      if (normalized !== password) await check(dummyHash, password);
      return false;
    },
  };
}
