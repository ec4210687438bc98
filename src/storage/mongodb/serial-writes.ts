// FerretDB 1.x does not apply an update atomically: its handler reads the
// matching documents, changes them in Go and writes each whole document back
// (internal/handler/msg_update.go and msg_findandmodify.go, no transaction).
// Two concurrent conditional updates can therefore both match
// `consumedAt: null` and both "win", a concurrent `$inc` loses counts, and a
// session touch racing a revocation can write the revocation away. Inserts
// (unique indexes) and deletes are atomic there; updates are not.
//
// On FerretDB the store therefore runs every writing method of its ports, and
// every write of its rate limiters, one at a time within the process. The
// single-use, counting and revocation guarantees then hold for one Gatehouse
// process per FerretDB database (README, "Running on MongoDB": several
// processes or instances need MongoDB). MongoDB itself never goes through this.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';

export type Serial = <T>(write: () => Promise<T>) => Promise<T>;

/**
 * A queue that starts each write once the one before it has settled. A write
 * started from inside a queued one (RateLimiterMongo retries its own _upsert)
 * runs at once: it is part of the write that holds the queue.
 */
export function createSerial(): Serial {
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(write: () => Promise<T>) => {
    if (inside.getStore()) return write();
    const start = () => inside.run(true, write);
    const run = tail.then(start, start);
    tail = run.catch(() => {});
    return run;
  };
}

/** Port methods that only read (the ports' naming: find/list). */
const READS = /^(find|list)/;

/** The port with each writing method run through `serial`; reads are left concurrent. */
export function serializeWrites<T extends object>(port: T, serial: Serial): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(port)) {
    wrapped[name] =
      typeof method === 'function' && !READS.test(name)
        ? (...args: unknown[]) => serial(() => (method as (...a: unknown[]) => Promise<unknown>).apply(port, args))
        : method;
  }
  return wrapped as T;
}

/**
 * The limiter with its two storage writes run through `serial`.
 * rate-limiter-flexible's store limiters write only through `_upsert`
 * (consume, penalty, reward, block, set) and `_delete`.
 */
export function serializeLimiter(limiter: RateLimiterAbstract, serial: Serial): RateLimiterAbstract {
  const internals = limiter as unknown as Record<'_upsert' | '_delete', (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['_upsert', '_delete'] as const) {
    const original = internals[name].bind(limiter);
    internals[name] = (...args) => serial(() => original(...args));
  }
  return limiter;
}
