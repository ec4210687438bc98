// The seam between the SQL stores and a PostgreSQL connection. Both the
// embedded PGlite and a PostgreSQL server speak the same SQL, so the stores are
// written once against this interface and each driver only adapts its client.

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned by a SELECT or changed by INSERT/UPDATE/DELETE. */
  rowCount: number;
}

export interface SqlDriver {
  /** One statement with $1..$n parameters (extended protocol: no multi-statement strings). */
  query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /**
   * Run `fn` in a transaction on one connection; commit when it resolves, roll
   * back when it rejects. Calling `transaction` on `tx` runs inside the same
   * transaction (no savepoint): nesting is flattened.
   */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /** Release every connection; the driver is unusable afterwards. */
  close(): Promise<void>;
  /** Connections in use and requests waiting for one; only a pooled driver has them. */
  connections?(): { inUse: number; waiting: number };
}

/** A driver bound to an open transaction: `query` goes to it, nesting reuses it. */
export function transactionDriver(query: SqlDriver['query']): SqlDriver {
  const tx: SqlDriver = {
    query,
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error('close() called on a transaction')),
  };
  return tx;
}
