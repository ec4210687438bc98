// The backends a run covers, each a throwaway database: PGlite in a temporary
// DATA_DIR, PostgreSQL in a schema of its own (dropped after, so runs never
// collide and never touch real data).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { serverInfo } from '../src/storage/mongodb/indexes.ts';
import { openMongoStore } from '../src/storage/mongodb/mongo-store.ts';
import type { Store } from '../src/storage/ports.ts';
import type { SqlDriver } from '../src/storage/sql/driver.ts';
import { createPgDriver } from '../src/storage/sql/pg-driver.ts';
import { createPgliteDriver } from '../src/storage/sql/pglite-driver.ts';
import { openSqlStore } from '../src/storage/sql/sql-store.ts';

export type BackendName = 'pglite' | 'postgres' | 'mongodb';

export interface BenchDatabase {
  name: BackendName;
  /** What Gatehouse needs in its environment to use this database. */
  serverEnv: Record<string, string>;
  /** How its rows are labelled: the backend, or the MongoDB-protocol server's name and version. */
  label: string;
  /** Open and migrate it from the bench (accounts, seeding). PGlite: only while no Gatehouse runs on it. No SQL driver on MongoDB. */
  open(): Promise<{ store: Store; driver?: SqlDriver }>;
  remove(): Promise<void>;
}

async function openWith(driver: SqlDriver): Promise<{ store: Store; driver: SqlDriver }> {
  return { store: await openSqlStore(driver), driver };
}

/** PGlite under `dataDir`, where Gatehouse's DATA_DIR puts it (open-store.ts). */
export function pgliteDatabase(dataDir: string): BenchDatabase {
  return {
    name: 'pglite',
    label: 'pglite',
    serverEnv: { DATA_DIR: dataDir },
    open: async () => openWith(await createPgliteDriver({ dataDir: join(dataDir, 'pglite') })),
    // The directory goes with the run's temporary directory.
    remove: async () => {},
  };
}

export async function postgresDatabase(url: string): Promise<BenchDatabase> {
  const schema = `gh_bench_${randomBytes(6).toString('hex')}`;
  const admin = createPgDriver({ url, max: 1 });
  // Generated above, so safe to interpolate (identifiers cannot be parameters).
  await admin.query(`create schema ${schema}`).finally(() => admin.close());
  // Every connection of every Gatehouse worker uses the schema (libpq `options`).
  const serverUrl = new URL(url);
  serverUrl.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    label: 'postgres',
    serverEnv: { DATABASE_URL: serverUrl.href },
    open: () => openWith(createPgDriver({ url, schema })),
    async remove() {
      const dropper = createPgDriver({ url, max: 1 });
      await dropper.query(`drop schema if exists ${schema} cascade`).finally(() => dropper.close());
    },
  };
}

/** A database of its own on a MongoDB-protocol server, dropped at the end; labelled with the server's name and version. */
export async function mongodbDatabase(url: string): Promise<BenchDatabase> {
  const dbName = `gh_bench_${randomBytes(6).toString('hex')}`;
  const connection = await mongoose.createConnection(url, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  const server = await serverInfo(connection).finally(() => connection.close());
  const serverUrl = new URL(url);
  serverUrl.pathname = `/${dbName}`;
  return {
    name: 'mongodb',
    label: server.label,
    serverEnv: { DATABASE_URL: serverUrl.href },
    open: async () => ({ store: await openMongoStore(url, { dbName }) }),
    async remove() {
      const dropper = await mongoose.createConnection(url, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
      await dropper.dropDatabase().finally(() => dropper.close());
    },
  };
}
