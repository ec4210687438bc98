// Building the declared indexes at open, on MongoDB and on FerretDB.
//
// MongoDB gets every index exactly as declared on the schemas (syncIndexes()).
// FerretDB 1.x refuses two index options (its NotImplemented error), so there each
// index is created without them:
// - expireAfterSeconds (TTL): the index stays as a plain one. Nothing depends
//   on TTL deletion: every query compares expiry dates with the current time,
//   and the purge job (services/purge-expired.ts) and purgeExpiredRateLimits
//   below delete what has expired.
// - partialFilterExpression: the index covers every document. The store never
//   writes a lookup field that is not a string (it leaves the field out), and
//   FerretDB's unique indexes do not count a missing field as a duplicate, so
//   uniqueness means the same on both servers (contract suites, test/contract).
// A server is FerretDB when its buildInfo carries `ferretdbVersion`
// (FerretDB's handler adds it; MongoDB has no such field).
import type { Connection } from 'mongoose';

export interface ServerInfo {
  /** "MongoDB 8.0.4" or "FerretDB v1.24.2 (MongoDB 7.0.77 protocol)". */
  label: string;
  ferretdb: boolean;
}

export async function serverInfo(connection: Connection): Promise<ServerInfo> {
  const info = await connection.db!.admin().buildInfo();
  const ferretdbVersion = (info as { ferretdbVersion?: unknown }).ferretdbVersion;
  if (typeof ferretdbVersion === 'string') {
    return { label: `FerretDB ${ferretdbVersion} (MongoDB ${String(info.version)} protocol)`, ferretdb: true };
  }
  return { label: `MongoDB ${String(info.version)}`, ferretdb: false };
}

const FERRETDB_UNSUPPORTED = ['expireAfterSeconds', 'partialFilterExpression'] as const;

/** The declared options less those FerretDB 1.x refuses (exported for the tests). */
export function ferretIndexOptions(options: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...options };
  for (const name of FERRETDB_UNSUPPORTED) delete kept[name];
  return kept;
}

/** The parts of a mongoose Model this needs (any document type). */
export interface IndexedModel {
  schema: { indexes(): unknown[] };
  collection: { createIndex(keys: Record<string, 1 | -1>, options: Record<string, unknown>): Promise<string> };
  syncIndexes(): Promise<unknown>;
  createCollection(): Promise<unknown>;
}

/** Build every index the model's schema declares, in the form the server supports. */
export async function buildIndexes(model: IndexedModel, server: ServerInfo): Promise<void> {
  if (!server.ferretdb) {
    await model.syncIndexes();
    return;
  }
  await model.createCollection().catch((err: { codeName?: string }) => {
    if (err.codeName !== 'NamespaceExists') throw err;
  });
  for (const [keys, options] of model.schema.indexes() as Array<[Record<string, 1 | -1>, Record<string, unknown>]>) {
    await model.collection.createIndex(keys, ferretIndexOptions(options));
  }
}
