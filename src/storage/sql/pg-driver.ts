// A PostgreSQL server through a pg.Pool. Connection-level failures become
// UnavailableError so /ready and the error handler can answer 503 instead of
// 500 (API.md, "UNAVAILABLE: the database is unreachable").
import pg from 'pg';
import { UnavailableError } from '../../errors.ts';
import { transactionDriver, type QueryResult, type SqlDriver } from './driver.ts';

export interface PgDriverOptions {
  url: string;
  /** Schema every connection uses (tables are created there); must already exist or be created by the caller. */
  schema?: string;
  /** Pool size; pg's default (10) when omitted. */
  max?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

// Socket errors from node:net/dns, plus SQLSTATE classes 08 (connection
// exception) and 57P01-57P03 (server shutting down or starting up).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  '57P01', '57P02', '57P03',
]);

function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // Happy-eyeballs connects (a host with several addresses) fail with an AggregateError.
  if (err instanceof AggregateError) return err.errors.some(isUnreachable);
  // pg's own wording for a pool connect timeout and a socket closed mid-query.
  return /timeout exceeded when trying to connect|Connection terminated/i.test(err.message);
}

function translate(err: unknown): never {
  if (isUnreachable(err)) throw new UnavailableError(undefined, err);
  throw err;
}

function toResult<R>(res: pg.QueryResult): QueryResult<R> {
  return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
}

export function createPgDriver(options: PgDriverOptions): SqlDriver {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`Invalid schema name ${JSON.stringify(options.schema)}: expected ${SCHEMA_NAME}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    ...(options.max !== undefined && { max: options.max }),
    // Without a timeout a down server makes every request hang instead of answering 503.
    connectionTimeoutMillis: 5000,
    ...(options.schema !== undefined && { options: `-c search_path=${options.schema}` }),
  });
  // An idle client dropped by the server emits 'error' on the pool; unhandled,
  // that would kill the process. The next query reconnects or reports it.
  pool.on('error', () => {});

  return {
    query: async <R>(text: string, params: unknown[] = []) =>
      toResult<R>(await pool.query(text, params).catch(translate)),
    async transaction(fn) {
      const client = await pool.connect().catch(translate);
      const tx = transactionDriver(async <R>(text: string, params: unknown[] = []) =>
        toResult<R>(await client.query(text, params).catch(translate)));
      try {
        await tx.query('begin');
        const result = await fn(tx);
        await tx.query('commit');
        client.release();
        return result;
      } catch (err) {
        // A failed rollback leaves the connection in an unknown state: destroy it.
        const rollbackError = await client.query('rollback').then(() => undefined, (e: unknown) => e);
        client.release(rollbackError instanceof Error ? rollbackError : undefined);
        throw err;
      }
    },
    close: () => pool.end(),
    connections: () => ({ inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
  };
}
