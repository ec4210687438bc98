// The one place that maps DATABASE_URL to a backend (API.md, "Process,
// configuration, data"). Nothing else knows which database is in use.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  /** Told what opening the embedded database is doing: a first start takes a while and should not look hung. */
  onProgress?: (message: string) => void;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  if (url === undefined || url === '') return openEmbeddedStore(options.dataDir, options.onProgress ?? (() => undefined));
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
async function openEmbeddedStore(dataDir: string, progress: (message: string) => void): Promise<Store> {
  const unlock = lockDataDir(dataDir);
  try {
    const path = join(dataDir, 'pglite');
    const started = performance.now();
    // PGlite unpacks and initialises a whole PostgreSQL cluster on first use (several seconds).
    progress(existsSync(path)
      ? `opening the embedded database (PGlite) in ${resolve(path)}`
      : `creating the embedded database (PGlite) in ${resolve(path)}: the first start takes a while`);
    const driver = await createPgliteDriver({ dataDir: path });
    progress(`embedded database open after ${Math.round(performance.now() - started)} ms; applying migrations`);
    const store = await openSqlStore(driver);
    progress(`embedded database ready after ${Math.round(performance.now() - started)} ms`);
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
