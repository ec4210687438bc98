// The one place that maps DATABASE_URL to a backend (API.md, "Process,
// configuration, data"). Nothing else knows which database is in use.
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { openMongoStore } from './mongodb/mongo-store.ts';
import type { Store } from './ports.ts';
import { createPgDriver } from './sql/pg-driver.ts';
import { createPgliteDriver } from './sql/pglite-driver.ts';
import { openSqlStore } from './sql/sql-store.ts';

export interface OpenStoreOptions {
  /** Unset: embedded PGlite under dataDir; postgres(ql):// : a PostgreSQL server; mongodb(+srv):// : MongoDB. */
  databaseUrl?: string;
  /** DATA_DIR; only the embedded database lives there. */
  dataDir: string;
  /** PostgreSQL schema to use (created if missing); ignored by the other backends. */
  schema?: string;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  if (url === undefined || url === '') return openEmbeddedStore(options.dataDir);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const driver = createPgDriver({ url, ...(options.schema !== undefined && { schema: options.schema }) });
    if (options.schema !== undefined) {
      // The name passed createPgDriver's /^[a-z_][a-z0-9_]*$/ check; identifiers cannot be parameters.
      await driver.query(`create schema if not exists ${options.schema}`).catch(async (err: unknown) => {
        await driver.close().catch(() => {});
        throw err;
      });
    }
    return openSqlStore(driver);
  }
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') {
    // Options such as serverSelectionTimeoutMS or replicaSet go in the URL.
    return openMongoStore(url);
  }
  // Never echo the URL: it may carry a password.
  throw new Error(`Unsupported DATABASE_URL scheme "${scheme}:" (expected postgres://, postgresql:// or mongodb://)`);
}

/** PGlite under dataDir, locked to this process until the store is closed (data-dir-lock.ts). */
async function openEmbeddedStore(dataDir: string): Promise<Store> {
  const unlock = lockDataDir(dataDir);
  try {
    const store = await openSqlStore(await createPgliteDriver({ dataDir: join(dataDir, 'pglite') }));
    return { ...store, close: () => store.close().finally(unlock) };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** A fresh in-memory PGlite store, for tests. */
export async function openMemoryStore(): Promise<Store> {
  return openSqlStore(await createPgliteDriver());
}
