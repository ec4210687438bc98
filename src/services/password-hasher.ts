import { argon2id, hash, needsRehash, verify, type HashOptions } from 'argon2';

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

  return {
    hash: (password) => hash(password, options),
    async verify(stored, password) {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    },
    needsRehash: (stored) => needsRehash(stored, options),
    async verifyDummy(password) {
      await verify(dummyHash, password).catch(() => false);
      return false;
    },
  };
}
