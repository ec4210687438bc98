// The MongoDB backend's two defences and its error translation.
//
// Operator injection (a JSON body's `{"$gt": ""}` reaching a filter and
// matching every document) is blocked twice: every value a caller hands the
// store goes through `str()` before it reaches a filter, and the connection
// runs with mongoose's `sanitizeFilter`, which wraps any object with `$` keys
// found in a filter in `$eq`. Operators written here in the code are marked
// with `op()` (mongoose.trusted) so sanitizeFilter leaves them alone.
import mongoose from 'mongoose';
import { UnavailableError } from '../../errors.ts';

/**
 * The value when it is a string at run time; a TypeError otherwise, before any
 * query is built. The static type already says string: this is for the value
 * that reached the store from JSON without passing a schema.
 */
export function str<T extends string>(value: T, name: string): T {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

/** A query operator written by this backend, exempt from sanitizeFilter. Never pass caller data as the object itself. */
export function op<T extends Record<`$${string}`, unknown>>(operator: T): T {
  return mongoose.trusted(operator);
}

/** JSON round trip: payloads are stored exactly as the SQL backend's jsonb keeps them (undefined keys dropped, no class instances). */
export function asJson<T extends Record<string, unknown>>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * An E11000 duplicate-key error on the index over `field` (`_id` for the
 * primary key). `unnamed` is the answer for an E11000 that names no index:
 * FerretDB 1.x says only "E11000 duplicate key error collection: db.coll", so
 * callers pass true where `field` is the only unique index that write can hit.
 */
export function isDuplicateKey(err: unknown, field: string, unnamed = false): boolean {
  const e = err as { code?: unknown; keyPattern?: Record<string, unknown>; message?: unknown } | null;
  if (e?.code !== 11000) return false;
  if (e.keyPattern !== undefined) return Object.hasOwn(e.keyPattern, field);
  if (typeof e.message !== 'string' || !e.message.includes('index:')) return unnamed;
  // Servers before 4.4 report the index only in the message ("index: email_1 dup key").
  return e.message.includes(`index: ${field}_`);
}

// The driver's and mongoose's names for "no server answered": a refused or
// dropped connection, server selection timing out, a client already closed.
const UNREACHABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
  'MongoServerClosedError',
]);

// Server codes for a node shutting down or no longer primary (the retryable
// ones the driver gave up on): ShutdownInProgress, PrimarySteppedDown,
// NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
// NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
const UNREACHABLE_CODES = new Set<unknown>([91, 189, 10107, 11600, 11602, 13435, 13436]);

// Socket and DNS errors from node:net/dns (an unresolvable mongodb+srv host).
const SOCKET_CODES = new Set<unknown>([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
]);

export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNREACHABLE_NAMES.has(err.name)) return true;
  const { code, errorLabelSet } = err as { code?: unknown; errorLabelSet?: unknown };
  if (UNREACHABLE_CODES.has(code) || SOCKET_CODES.has(code)) return true;
  return errorLabelSet instanceof Set && errorLabelSet.has('NetworkError');
}

/** Rethrow unreachable-server errors as UnavailableError (503), anything else as is. */
export function translate(err: unknown): never {
  if (isUnreachable(err)) throw new UnavailableError(undefined, err);
  throw err;
}

/**
 * The port with every method's rejection passed through translate(), so
 * /ready and the error handler see UnavailableError as with the SQL drivers.
 */
export function guardPort<T extends object>(port: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(port)) {
    guarded[name] =
      typeof method === 'function'
        ? (...args: unknown[]) => (method as (...a: unknown[]) => Promise<unknown>).apply(port, args).catch(translate)
        : method;
  }
  return guarded as T;
}
