// PGlite: PostgreSQL compiled to WASM, running in-process. It has a single
// connection, so concurrency is its own mutex: `db.transaction` holds it for
// the whole callback and every other query waits, which is why statements
// inside a transaction must go through `tx` (a query on `db` there deadlocks).
import { mkdirSync } from 'node:fs';
import { PGlite, type Results } from '@electric-sql/pglite';
import { transactionDriver, type QueryResult, type SqlDriver } from './driver.ts';

export interface PgliteDriverOptions {
  /** Directory holding the database files (created if missing); undefined keeps it in memory. */
  dataDir?: string;
}

function toResult<R>(res: Results<R>): QueryResult<R> {
  // `rowCount` is the per-statement command-tag count (rows changed or
  // returned); `affectedRows` is 0 for SELECT, so it is only a fallback.
  return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
}

export async function createPgliteDriver(options: PgliteDriverOptions = {}): Promise<SqlDriver> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  return {
    query: async <R>(text: string, params: unknown[] = []) => toResult(await db.query<R>(text, params)),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn(transactionDriver(async <R>(text: string, params: unknown[] = []) => toResult(await tx.query<R>(text, params)))),
      ),
    close: () => db.close(),
  };
}
