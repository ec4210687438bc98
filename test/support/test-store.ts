// The store the HTTP and OIDC suites run on: an in-memory PGlite by default,
// MongoDB with TEST_BACKEND=mongodb (needs TEST_MONGODB_URI), each in a
// database of its own that is gone once the store is closed.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { openMongoStore } from '../../src/storage/mongodb/mongo-store.ts';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/ports.ts';

/** TEST_MONGODB_URI names a server (e.g. mongodb://127.0.0.1:27017); each store gets its own database on it. */
export const TEST_MONGODB_URI = process.env.TEST_MONGODB_URI || undefined;

async function dropDatabase(uri: string, dbName: string): Promise<void> {
  const connection = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

/** A MongoDB store in a fresh database `gh_test_<random>`; close() also drops that database. */
export async function openMongoTestStore(uri: string): Promise<Store> {
  const dbName = `gh_test_${randomBytes(6).toString('hex')}`;
  const store = await openMongoStore(uri, { dbName });
  return {
    ...store,
    async close() {
      await store.close();
      await dropDatabase(uri, dbName);
    },
  };
}

export async function openTestStore(): Promise<Store> {
  const backend = process.env.TEST_BACKEND || 'pglite';
  if (backend === 'pglite') return openMemoryStore();
  if (backend === 'mongodb') {
    if (TEST_MONGODB_URI === undefined) {
      throw new Error('TEST_BACKEND=mongodb needs TEST_MONGODB_URI (e.g. mongodb://127.0.0.1:27017)');
    }
    return openMongoTestStore(TEST_MONGODB_URI);
  }
  throw new Error(`Unknown TEST_BACKEND ${JSON.stringify(backend)} (expected pglite or mongodb)`);
}
