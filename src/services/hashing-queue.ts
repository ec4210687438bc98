// A bounded line for password hashing. argon2 runs on libuv's threadpool
// (UV_THREADPOOL_SIZE, 4 by default), which also serves fs, dns.lookup and
// zlib: a burst of sign-ins queued there without bound makes every waiter
// slower and starves those other users. Here at most `concurrency` hashes run
// at once and at most `maxQueued` more wait; past that a request is shed at
// once with ServerBusyError (503 + Retry-After), before it costs a database
// round trip or any argon2 time.
import { ServerBusyError } from '../errors.ts';

export interface HashingQueueSettings {
  /** Hashes running at once; keep it under the threadpool size so other threadpool work still flows. */
  concurrency: number;
  /** Admitted requests waiting for a slot beyond those running. */
  maxQueued: number;
}

export interface HashingQueue {
  /** ServerBusyError when admit would refuse now: lets a caller shed a request before costlier work than admit's. */
  assertRoom(): void;
  /**
   * Hold a place in line for the whole of `work` (taken before any other
   * work, so a refused request costs nothing); ServerBusyError when full.
   * `slot` runs one hash when a slot is free.
   */
  admit<T>(work: (slot: <R>(hash: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T>;
}

export function createHashingQueue({ concurrency, maxQueued }: HashingQueueSettings): HashingQueue {
  let admitted = 0;
  let running = 0;
  const waiting: Array<() => void> = [];
  // A moving average of one hash's duration, for Retry-After.
  let averageMs = 50;

  async function slot<R>(hash: () => Promise<R>): Promise<R> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    const started = performance.now();
    try {
      return await hash();
    } finally {
      averageMs = averageMs * 0.9 + (performance.now() - started) * 0.1;
      // Hand the slot straight to the next waiter: `running` stays as it is.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  }

  function assertRoom(): void {
    // The time for the line ahead to drain.
    if (admitted >= concurrency + maxQueued) throw new ServerBusyError((admitted / concurrency) * averageMs / 1000);
  }

  return {
    assertRoom,
    async admit(work) {
      assertRoom();
      admitted += 1;
      try {
        return await work(slot);
      } finally {
        admitted -= 1;
      }
    },
  };
}
