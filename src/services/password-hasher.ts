import { argon2id, hash, needsRehash, verify, type HashOptions } from 'argon2';
import { createHashingQueue, type HashingQueueSettings } from './hashing-queue.ts';
import { normalizePassword } from './password-policy.ts';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The hashing work of one request, run in the place in line that request holds. */
export interface Hashing {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash this hasher cannot read. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Spend the time of a real verification and return false. Used when the
   * account does not exist, so unknown email and wrong password cannot be told
   * apart by timing.
   */
  verifyDummy(password: string): Promise<false>;
}

export interface PasswordHasher extends Hashing {
  /** True when the hash was made with weaker parameters than the current ones. */
  needsRehash(hash: string): boolean;
  /**
   * Hold a place in the hashing line for the whole of `work`, taken before
   * anything else the request does; ServerBusyError (503) when the line is
   * full. The plain hash/verify methods take a place each on their own.
   */
  admit<T>(work: (hashing: Hashing) => Promise<T>): Promise<T>;
  /** ServerBusyError when admit would refuse now. */
  assertRoom(): void;
}

/**
 * libuv's threadpool size (UV_THREADPOOL_SIZE, 4 by default). One thread is
 * left to fs, dns.lookup and zlib, which share the pool with argon2.
 */
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const DEFAULT_HASHING_QUEUE: Readonly<HashingQueueSettings> = {
  concurrency: Math.max(1, THREADPOOL_SIZE - 1),
  maxQueued: 64,
};

export async function createPasswordHasher(
  params: Argon2Params,
  queueSettings: HashingQueueSettings = DEFAULT_HASHING_QUEUE,
): Promise<PasswordHasher> {
  const options: HashOptions = { type: argon2id, ...params };
  // A hash of a random value made with the current parameters, so the dummy
  // verification costs exactly what a real one does.
  const dummyHash = await hash(crypto.randomUUID(), options);
  const queue = createHashingQueue(queueSettings);

  const check = (stored: string, password: string) => verify(stored, password).catch(() => false);

  // Every password is hashed and compared in its NFKC form (password-policy.ts),
  // so the same password typed as NFC or NFD (or with full-width letters) matches.
  function hashingIn(slot: <R>(run: () => Promise<R>) => Promise<R>): Hashing {
    return {
      hash: (password) => slot(() => hash(normalizePassword(password), options)),
      async verify(stored, password) {
        const normalized = normalizePassword(password);
        if (await slot(() => check(stored, normalized))) return true;
        // A hash made before passwords were normalised holds the raw form; only a
        // password that NFKC changes can be one of those.
        return normalized !== password && slot(() => check(stored, password));
      },
      async verifyDummy(password) {
        // As many argon2 runs as verify() spends on a wrong password, else a
        // password NFKC changes would tell a known address from an unknown one.
        const normalized = normalizePassword(password);
        await slot(() => check(dummyHash, normalized));
        if (normalized !== password) await slot(() => check(dummyHash, password));
        return false;
      },
    };
  }
  const admit: PasswordHasher['admit'] = (work) => queue.admit((slot) => work(hashingIn(slot)));

  return {
    admit,
    assertRoom: () => queue.assertRoom(),
    hash: (password) => admit((h) => h.hash(password)),
    verify: (stored, password) => admit((h) => h.verify(stored, password)),
    verifyDummy: (password) => admit((h) => h.verifyDummy(password)),
    needsRehash: (stored) => needsRehash(stored, options),
  };
}
