// Every contract suite runs once per available backend (ARCHITECTURE.md,
// "Contract suites for every adapter"): PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set, each test database in its own throwaway schema.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/storage/ports.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { createPgliteDriver } from '../../src/storage/sql/pglite-driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';

export type BackendName = 'pglite' | 'postgres';

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
  createDatabase(onDisk: boolean): Promise<TestDatabase>;
}

const pglite: Backend = {
  name: 'pglite',
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

const postgres: Backend = {
  name: 'postgres',
  ...(databaseUrl === undefined && { unavailable: 'runs against PostgreSQL (set TEST_DATABASE_URL to enable)' }),
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

const backends: Backend[] = [pglite, postgres];

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
      let database: TestDatabase | undefined;
      let store: Store | undefined;
      before(async () => {
        database = await backend.createDatabase(false);
        store = await openSqlStore(await database.openDriver());
      });
      after(async () => {
        await store?.close();
        await database?.cleanup();
      });
      body(() => {
        if (store === undefined) throw new Error('store not open (did before() fail?)');
        return store;
      }, backend.name);
    });
  }
}

/**
 * One describe per backend for tests that open a database more than once
 * (migrations, persistence): `newDatabase()` gives a fresh on-disk one,
 * cleaned up after the test.
 */
export function forEachDatabase(
  suiteName: string,
  body: (newDatabase: () => Promise<TestDatabase>, backend: BackendName) => void,
): void {
  for (const backend of backends) {
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
}
