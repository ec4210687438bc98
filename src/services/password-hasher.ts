import { argon2id, hash, needsRehash, verify, type HashOptions } from 'argon2';
import { createHashingQueue, type HashingQueueSettings } from './hashing-queue.ts';

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

  function hashingIn(slot: <R>(run: () => Promise<R>) => Promise<R>): Hashing {
    return {
      hash: (password) => slot(() => hash(password, options)),
      verify: (stored, password) => slot(() => verify(stored, password).catch(() => false)),
      async verifyDummy(password) {
        await slot(() => verify(dummyHash, password).catch(() => false));
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
