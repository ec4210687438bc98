// MongoDB through mongoose, behind the same ports as the SQL backend.
//
// The connection is the store's own (createConnection, never mongoose's
// global default) and is opened with:
// - sanitizeFilter: any object with `$` keys found in a filter is wrapped in
//   `$eq`, so `{"$gt": ""}` from a request body matches nothing (guards.ts);
// - autoIndex and autoCreate off: indexes are built here, once, at open
//   (indexes.ts: syncIndexes() on MongoDB, what FerretDB supports there),
//   never by the first request to touch one;
// - bufferCommands off: with the server gone an operation fails after
//   serverSelectionTimeoutMS (503) instead of waiting in mongoose's queue.
//
// No method needs a multi-document transaction, so a standalone server works
// as well as a replica set (see account-store.ts and one-time-token-store.ts
// for how deletion and token replacement do without one).
import mongoose, { type Connection } from 'mongoose';
import { UnavailableError } from '../../errors.ts';
import type { Store } from '../ports.ts';
import { createMongoAccountStore } from './account-store.ts';
import { createMongoAuditStore } from './audit-store.ts';
import { createMongoChangeStore } from './change-store.ts';
import { createMongoClientStore } from './client-store.ts';
import { createMongoFactorStore } from './factor-store.ts';
import { guardPort, isUnreachable, translate } from './guards.ts';
import { buildIndexes, serverInfo, type IndexedModel, type ServerInfo } from './indexes.ts';
import { createSerial, serializeLimiter, serializeWrites } from './serial-writes.ts';
import { defineModels } from './models.ts';
import { migrateHashedIds } from './migrate-hashed-ids.ts';
import { defineOidcModels } from './oidc-models.ts';
import { createMongoOidcStore } from './oidc-store.ts';
import { defineOrganizationModels } from './organization-models.ts';
import { createMongoOrganizationStore } from './organization-store.ts';
import { createMongoOneTimeTokenStore } from './one-time-token-store.ts';
import { createMongoRateLimiter } from './rate-limiter.ts';
import { createMongoRoleStore, ensureBuiltInRoles } from './role-store.ts';
import { createMongoSecretStore } from './secret-store.ts';
import { createMongoSessionStore } from './session-store.ts';

export interface MongoStoreOptions {
  /** The database to use instead of the one the URL names (tests use one per run). */
  dbName?: string;
  /**
   * How long an operation waits for a server before failing. Default 5000 ms
   * (the driver's own is 30 s, which would hold /ready and start-up that
   * long); a `serverSelectionTimeoutMS` in the URL is used when this is unset.
   */
  serverSelectionTimeoutMS?: number;
}

const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;

/** The mongoose options of the store's connection (exported for the tests that need no server). */
export function connectionOptions(url: string, options: MongoStoreOptions = {}): mongoose.ConnectOptions {
  const timeoutInUrl = /[?&]serverSelectionTimeoutMS=/i.test(url);
  const timeout = options.serverSelectionTimeoutMS ?? (timeoutInUrl ? undefined : DEFAULT_SERVER_SELECTION_TIMEOUT_MS);
  return {
    sanitizeFilter: true,
    autoIndex: false,
    autoCreate: false,
    bufferCommands: false,
    ...(options.dbName !== undefined && { dbName: options.dbName }),
    ...(timeout !== undefined && { serverSelectionTimeoutMS: timeout }),
  };
}

/** Compile every model on `connection` (no I/O); the store's methods run on these. */
export function defineAllModels(connection: Connection) {
  return { ...defineModels(connection), ...defineOrganizationModels(connection), oidc: defineOidcModels(connection) };
}

/** Connect, build every index, and expose the database as a Store that owns the connection (closed on failure too). */
export async function openMongoStore(url: string, options: MongoStoreOptions = {}): Promise<Store> {
  const connection = mongoose.createConnection(url, connectionOptions(url, options));
  // Errors after the initial connection are the driver's to recover from; the
  // next operation reports them. Unhandled, an 'error' event would end the process.
  connection.on('error', () => {});
  let models: ReturnType<typeof defineAllModels>;
  let server: ServerInfo;
  try {
    await connection.asPromise();
    models = defineAllModels(connection);
    const { oidc, ...others } = models;
    server = await serverInfo(connection);
    const all: IndexedModel[] = [...Object.values(others), ...oidc.values()];
    await Promise.all(all.map((model) => buildIndexes(model, server)));
    await migrateHashedIds(oidc);
    await ensureBuiltInRoles(models.roles);
  } catch (err) {
    await connection.close().catch(() => {});
    // Never echo the URL: it may carry a password. The driver's message names only host and port.
    if (isUnreachable(err)) {
      throw new UnavailableError(`MongoDB did not answer: ${(err as Error).message}`, err);
    }
    throw err;
  }

  // FerretDB 1.x applies no update atomically: see serial-writes.ts.
  const serial = server.ferretdb ? createSerial() : undefined;
  const port = <T extends object>(methods: T): T => guardPort(serial ? serializeWrites(methods, serial) : methods);
  return {
    oidc: port(createMongoOidcStore(models.oidc)),
    accounts: port(createMongoAccountStore(models)),
    roles: port(createMongoRoleStore(models)),
    clients: port(createMongoClientStore(models.clients)),
    changes: port(createMongoChangeStore(models.changes)),
    secrets: port(createMongoSecretStore(models.secrets)),
    sessions: port(createMongoSessionStore(models)),
    oneTimeTokens: port(createMongoOneTimeTokenStore(models.oneTimeTokens)),
    audit: port(createMongoAuditStore(models.auditEvents)),
    factors: port(createMongoFactorStore(models)),
    organizations: port(createMongoOrganizationStore(models)),
    createRateLimiter(rule) {
      const limiter = createMongoRateLimiter(connection, rule);
      return serial ? serializeLimiter(limiter, serial) : limiter;
    },
    async ping() {
      const db = connection.db;
      if (db === undefined) throw new UnavailableError('The MongoDB connection is closed.');
      await db.command({ ping: 1 }).catch(translate);
    },
    close: () => connection.close(),
  };
}
