// A real SQL driver that also records the text of every statement sent
// outside a transaction, for tests that count or inspect a store's queries.
import type { SqlDriver } from '../../src/storage/sql/driver.ts';

export function recordStatements(driver: SqlDriver, statements: string[]): SqlDriver {
  return {
    query: (text, params) => {
      statements.push(text);
      return driver.query(text, params);
    },
    transaction: (fn) => driver.transaction(fn),
    close: () => driver.close(),
  };
}
