import { strict as assert } from 'node:assert';
import { UnavailableError } from '../../src/errors.ts';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { freePort } from '../support/free-port.ts';

// The driver, not the HTTP layer, knows what "unreachable" looks like in pg's
// errors; the error handler only sees UnavailableError and answers 503.
describe('PostgreSQL driver when the server is unreachable', function () {
  it('rejects queries and transactions with UnavailableError', async () => {
    const driver = createPgDriver({ url: `postgres://postgres@127.0.0.1:${await freePort()}/test` });
    try {
      await assert.rejects(driver.query('select 1'), UnavailableError);
      await assert.rejects(driver.transaction((tx) => tx.query('select 1')), UnavailableError);
    } finally {
      await driver.close();
    }
  });

  it('refuses a schema name that could smuggle SQL', () => {
    assert.throws(() => createPgDriver({ url: 'postgres://127.0.0.1/test', schema: 'x; drop table accounts' }), /Invalid schema name/);
  });
});
