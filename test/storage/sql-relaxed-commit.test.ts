// Which oidc-provider writes skip the WAL flush wait (src/storage/sql/oidc-store.ts):
// newly issued access, client-credentials and refresh tokens only, never
// what ends or restricts access; and the setting never outlives the
// statement on its connection. On PGlite, and on PostgreSQL with
// TEST_DATABASE_URL (a one-connection pool, so "the next statement" is on
// the same connection).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../../src/storage/ports.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { createPgliteDriver } from '../../src/storage/sql/pglite-driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import { recordStatements } from '../support/recording-driver.ts';

const RELAXED = /set_config\('synchronous_commit', 'off', true\)/;
const databaseUrl = process.env.TEST_DATABASE_URL;

interface Backend {
  name: string;
  open(): Promise<{ driver: SqlDriver; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: 'pglite', open: async () => ({ driver: await createPgliteDriver(), cleanup: async () => {} }) },
];
if (databaseUrl) {
  backends.push({
    name: 'postgres',
    async open() {
      const schema = `gh_test_${randomBytes(6).toString('hex')}`;
      const admin = createPgDriver({ url: databaseUrl, max: 1 });
      await admin.query(`create schema ${schema}`);
      return {
        driver: createPgDriver({ url: databaseUrl, schema, max: 1 }),
        async cleanup() {
          await admin.query(`drop schema ${schema} cascade`);
          await admin.close();
        },
      };
    },
  });
}

for (const backend of backends) {
  describe(`SQL oidc store: relaxed commits [${backend.name}]`, function () {
    let store: Store;
    let driver: SqlDriver;
    let cleanup: () => Promise<void>;
    const statements: string[] = [];

    before(async function () {
      ({ driver, cleanup } = await backend.open());
      store = await openSqlStore(recordStatements(driver, statements));
    });
    after(async function () {
      await store.close();
      await cleanup();
    });

    const upsertStatement = async (model: string) => {
      statements.length = 0;
      await store.oidc.upsert(model, randomUUID(), { kind: model, grantId: 'g1' }, new Date(Date.now() + 60_000));
      assert.equal(statements.length, 1);
      return statements[0]!;
    };

    it('relaxes new access, client-credentials and refresh tokens, and they read back', async function () {
      for (const model of ['AccessToken', 'ClientCredentials', 'RefreshToken']) {
        assert.match(await upsertStatement(model), RELAXED, model);
      }
      const id = randomUUID();
      await store.oidc.upsert('RefreshToken', id, { v: 1 }, null);
      await store.oidc.upsert('RefreshToken', id, { v: 2 }, null);
      assert.deepEqual((await store.oidc.find('RefreshToken', id))?.payload, { v: 2 });
    });

    it('keeps every other model, and consuming and revoking, waiting for the flush', async function () {
      for (const model of ['Grant', 'Session', 'AuthorizationCode', 'Interaction', 'DeviceCode']) {
        assert.doesNotMatch(await upsertStatement(model), RELAXED, model);
      }
      statements.length = 0;
      await store.oidc.consume('RefreshToken', randomUUID());
      await store.oidc.revokeByGrantId('g1');
      await store.oidc.destroy('AccessToken', randomUUID());
      for (const text of statements) assert.doesNotMatch(text, RELAXED);
    });

    it('leaves the connection as it was for the next statement', async function () {
      await upsertStatement('AccessToken');
      const { rows } = await driver.query<{ synchronous_commit: string }>('show synchronous_commit');
      assert.equal(rows[0]!.synchronous_commit, 'on');
    });
  });
}
