// Every contract suite runs once per available backend (ARCHITECTURE.md,
// "Contract suites for every adapter"): PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set (each test database in its own throwaway schema),
// MongoDB when TEST_MONGODB_URI is set (each in its own throwaway database;
// `npm test` sets it to a FerretDB it starts, scripts/ferretdb.ts).
// A backend that cannot run here is reported as pending with the reason.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/storage/ports.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { createPgliteDriver } from '../../src/storage/sql/pglite-driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import { openMongoTestStore, TEST_MONGODB_URI } from '../support/test-store.ts';

export type BackendName = 'pglite' | 'postgres' | 'mongodb';

export interface TestDatabase {
  /**
   * A new, unmigrated driver on this database. PostgreSQL: any number, open at
   * once. PGlite: the in-memory one opens once; the on-disk one once at a time
   * (PGlite owns its directory exclusively).
   */
  openDriver(): Promise<SqlDriver>;
  /** Remove the database; drivers must be closed first. */
  cleanup(): Promise<void>;
}

interface Backend {
  name: BackendName;
  /** Set when the backend cannot run here; shown as a pending test. */
  unavailable?: string;
  /** A fresh, empty store; closing it also removes its database. */
  openStore(): Promise<Store>;
}

/** The SQL backends also hand out raw databases (drivers, migrations) for forEachDatabase. */
interface SqlBackend extends Backend {
  createDatabase(onDisk: boolean): Promise<TestDatabase>;
}

/** A store on a new in-memory (or throwaway-schema) database that is cleaned up when the store closes. */
async function openSqlTestStore(backend: SqlBackend): Promise<Store> {
  const database = await backend.createDatabase(false);
  let store: Store;
  try {
    store = await openSqlStore(await database.openDriver());
  } catch (err) {
    await database.cleanup();
    throw err;
  }
  return {
    ...store,
    async close() {
      await store.close();
      await database.cleanup();
    },
  };
}

const pglite: SqlBackend = {
  name: 'pglite',
  openStore: () => openSqlTestStore(pglite),
  async createDatabase(onDisk) {
    if (!onDisk) {
      let opened = false;
      return {
        async openDriver() {
          if (opened) throw new Error('an in-memory PGlite database cannot be reopened');
          opened = true;
          return createPgliteDriver();
        },
        async cleanup() {},
      };
    }
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pglite-'));
    return {
      openDriver: () => createPgliteDriver({ dataDir: join(dir, 'pglite') }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const databaseUrl = process.env.TEST_DATABASE_URL;

const postgres: SqlBackend = {
  name: 'postgres',
  ...(databaseUrl === undefined && { unavailable: 'runs against PostgreSQL (set TEST_DATABASE_URL to enable)' }),
  openStore: () => openSqlTestStore(postgres),
  async createDatabase() {
    const url = databaseUrl!;
    const schema = `gh_test_${randomBytes(6).toString('hex')}`;
    const admin = createPgDriver({ url, max: 1 });
    try {
      // Schema names cannot be parameters; this one is generated above.
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.close();
    }
    return {
      openDriver: async () => createPgDriver({ url, schema }),
      async cleanup() {
        const dropper = createPgDriver({ url, max: 1 });
        try {
          await dropper.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await dropper.close();
        }
      },
    };
  },
};

const mongodb: Backend = {
  name: 'mongodb',
  ...(TEST_MONGODB_URI === undefined && {
    unavailable: `runs against MongoDB: ${
      process.env.TEST_MONGODB_UNAVAILABLE ?? 'set TEST_MONGODB_URI (e.g. mongodb://127.0.0.1:27017), or run npm test, which starts FerretDB when Go is installed'
    }`,
  }),
  openStore: () => openMongoTestStore(TEST_MONGODB_URI!),
};

const backends: Backend[] = [pglite, postgres, mongodb];
const sqlBackends: SqlBackend[] = [pglite, postgres];

function describeBackend(suiteName: string, backend: Backend, body: () => void): void {
  describe(`${suiteName} [${backend.name}]`, function () {
    if (backend.unavailable !== undefined) {
      it(backend.unavailable); // no function: mocha reports it as pending, with this reason
      return;
    }
    // Booting a PGlite WASM instance takes 1.5-6 s on a busy 2-core runner, and
    // the migration tests boot up to three in one test.
    this.timeout(60_000);
    body();
  });
}

/** One describe per backend sharing one migrated store; tests must use unique ids. */
export function forEachBackend(suiteName: string, body: (getStore: () => Store, backend: BackendName) => void): void {
  for (const backend of backends) {
    describeBackend(suiteName, backend, () => {
      let store: Store | undefined;
      before(async () => {
        store = await backend.openStore();
      });
      after(async () => {
        await store?.close();
      });
      body(() => {
        if (store === undefined) throw new Error('store not open (did before() fail?)');
        return store;
      }, backend.name);
    });
  }
}

/**
 * One describe per SQL backend for tests that open a database more than once
 * (migrations, persistence): `newDatabase()` gives a fresh on-disk one,
 * cleaned up after the test. These tests speak SQL drivers, so MongoDB is
 * listed as pending with the reason instead.
 */
export function forEachDatabase(
  suiteName: string,
  body: (newDatabase: () => Promise<TestDatabase>, backend: BackendName) => void,
): void {
  for (const backend of sqlBackends) {
    describeBackend(suiteName, backend, () => {
      const created: TestDatabase[] = [];
      afterEach(async () => {
        for (const database of created.splice(0)) await database.cleanup();
      });
      body(async () => {
        const database = await backend.createDatabase(true);
        created.push(database);
        return database;
      }, backend.name);
    });
  }
  describe(`${suiteName} [mongodb]`, () => {
    it('not applicable: these tests drive SQL drivers and migrations; the MongoDB backend has neither (it syncs its indexes at open)');
  });
}
