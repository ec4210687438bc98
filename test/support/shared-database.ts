// A fresh database that several spawned servers share (the process tests of
// what one instance changes and another sees): a PostgreSQL schema of its own
// with TEST_DATABASE_URL, a MongoDB database of its own with TEST_MONGODB_URI.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';

export interface SharedDatabase {
  /** The DATABASE_URL to give every server. */
  url: string;
  drop(): Promise<void>;
}

/** PostgreSQL: a schema of its own; every connection of the children uses it (libpq `options`). */
export async function postgresSchema(serverUrl: string): Promise<SharedDatabase> {
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = createPgDriver({ url: serverUrl, max: 1 });
  await admin.query(`create schema ${schema}`).finally(() => admin.close());
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.href,
    async drop() {
      const dropper = createPgDriver({ url: serverUrl, max: 1 });
      await dropper.query(`drop schema if exists ${schema} cascade`).finally(() => dropper.close());
    },
  };
}

/** MongoDB: a database of its own, named in the URL's path. */
export async function mongoDatabase(serverUrl: string): Promise<SharedDatabase> {
  const url = new URL(serverUrl);
  url.pathname = `/gh_test_${randomBytes(6).toString('hex')}`;
  return {
    url: url.href,
    async drop() {
      const connection = await mongoose.createConnection(url.href, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await connection.dropDatabase().finally(() => connection.close());
    },
  };
}

/** The server backends a process test runs on, each enabled by its variable. */
export const SHARED_BACKENDS = [
  { name: 'PostgreSQL', variable: 'TEST_DATABASE_URL', open: postgresSchema },
  { name: 'MongoDB', variable: 'TEST_MONGODB_URI', open: mongoDatabase },
] as const;
