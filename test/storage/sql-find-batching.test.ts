// The SQL oidc store answers finds of one id under several models, started
// in the same tick, with one statement (src/storage/sql/oidc-store.ts); the
// answers themselves are checked by the OidcStore contract on every backend.
// Counted on a real PGlite behind a driver that records each statement.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createPgliteDriver } from '../../src/storage/sql/pglite-driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import type { Store } from '../../src/storage/ports.ts';
import { recordStatements } from '../support/recording-driver.ts';

describe('SQL oidc store: finds of one id in the same tick', function () {
  let store: Store;
  const statements: string[] = [];

  before(async function () {
    store = await openSqlStore(recordStatements(await createPgliteDriver(), statements));
  });
  after(async function () {
    await store.close();
  });

  it('share one statement, and a find alone stays a plain lookup', async function () {
    const id = randomUUID();
    await store.oidc.upsert('AccessToken', id, { v: 1 }, null);
    statements.length = 0;
    const [access, credentials] = await Promise.all([store.oidc.find('AccessToken', id), store.oidc.find('ClientCredentials', id)]);
    assert.deepEqual([access?.payload, credentials], [{ v: 1 }, undefined]);
    assert.equal(statements.length, 1);
    assert.match(statements[0]!, /model = any\(\$1::text\[\]\)/);

    statements.length = 0;
    assert.deepEqual((await store.oidc.find('AccessToken', id))?.payload, { v: 1 });
    assert.deepEqual((await store.oidc.find('AccessToken', id))?.payload, { v: 1 });
    assert.equal(statements.length, 2, 'sequential finds are not held back for each other');
    assert.ok(statements.every((text) => text.includes('model = $1 and id = $2')));
  });

  it('fail together when their statement fails, without a stray rejection', async function () {
    const failing = await createPgliteDriver();
    const failStore = await openSqlStore(failing);
    await failing.query('drop table oidc_payloads cascade');
    const results = await Promise.allSettled([failStore.oidc.find('AccessToken', 'x'), failStore.oidc.find('ClientCredentials', 'x')]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    await failStore.close();
  });
});
