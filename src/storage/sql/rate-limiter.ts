// rate-limiter-flexible's PostgreSQL limiter over our driver seam, so counts
// live in the database every worker shares (PGlite or a PostgreSQL server).
import { RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitRule } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

/** The query shape RateLimiterPostgres sends; `name` would make pg prepare it. */
interface LimiterQuery {
  text: string;
  values?: unknown[];
  name?: string;
}

interface LimiterRow {
  points?: number;
  expire?: number | string | bigint | null;
}

/**
 * A pg-Client look-alike: RateLimiterPostgres reads `rows[0].points`,
 * `rows[0].expire` and `rowCount` from what `query` resolves to. `name` (a
 * prepared-statement name) is dropped: the driver seam has no such notion.
 * pg returns bigint `expire` as a string; it is made a number so the
 * library's `expire - Date.now()` does not depend on coercion.
 */
function limiterClient(driver: SqlDriver) {
  return {
    async query(q: LimiterQuery) {
      const { rows, rowCount } = await driver.query<LimiterRow>(q.text, q.values ?? []);
      return {
        rowCount,
        rows: rows.map((row) => (row.expire == null ? row : { ...row, expire: Number(row.expire) })),
      };
    },
  };
}

export function createSqlRateLimiter(driver: SqlDriver, rule: RateLimitRule): RateLimiterAbstract {
  return new RateLimiterPostgres({
    storeClient: limiterClient(driver),
    storeType: 'client',
    // Created by migration 002 with the library's own layout: no DDL at request time.
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: rule.keyPrefix,
    points: rule.points,
    duration: rule.durationSeconds,
    blockDuration: rule.blockDurationSeconds ?? 0,
  });
}
