// Growth: fill the store with accounts and oidc-provider records by bulk
// INSERT ... SELECT generate_series, so 100k accounts and 1M token rows take
// seconds, not the hours the HTTP API would. SQL backends only (PGlite and
// PostgreSQL share this); a MongoDB backend would need its own insertMany.
import type { SqlDriver } from '../src/storage/sql/driver.ts';

export interface SeedCounts {
  accounts: number;
  tokens: number;
}

export interface SeedResult extends SeedCounts {
  sessions: number;
  ms: number;
}

/** Rows per statement: bounds the memory of one INSERT (PGlite's WASM heap is small). */
const CHUNK = 100_000;
/** Statements in flight: a PostgreSQL server fills a table from two connections about twice as fast (PGlite queues them). */
const PARALLEL = 2;

/** Call `insert(from, to)` for 1..count in CHUNK-sized ranges, PARALLEL at a time. */
async function inChunks(count: number, insert: (from: number, to: number) => Promise<unknown>): Promise<void> {
  const starts: number[] = [];
  for (let from = 1; from <= count; from += CHUNK) starts.push(from);
  const next = async (): Promise<void> => {
    const from = starts.shift();
    if (from === undefined) return;
    await insert(from, Math.min(count, from + CHUNK - 1));
    return next();
  };
  await Promise.all(Array.from({ length: PARALLEL }, next));
}

// A uuid-shaped id from a number: random-looking, so index inserts land all
// over the btree as real ids do.
const uuidOf = (expr: string) => `md5(${expr})::uuid::text`;
// 43 url-safe characters, the shape of oidc-provider's opaque token ids.
const tokenIdOf = (expr: string) => `rtrim(translate(encode(sha256(convert_to(${expr}, 'UTF8')), 'base64'), '+/', '-_'), '=')`;

async function columnsOf(db: SqlDriver, table: string): Promise<Set<string>> {
  const { rows } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1`,
    [table],
  );
  return new Set(rows.map((r) => r.column_name));
}

async function seedAccounts(db: SqlDriver, count: number, passwordHash: string): Promise<void> {
  await inChunks(count, (from, to) =>
    db.query(
      `insert into accounts (id, email, email_verified, name, role, password_hash)
       select ${uuidOf("'account-' || g")}, 'seed-' || g || '@bench.example', true, 'Seed ' || g, 'user', $1
       from generate_series($2::int, $3::int) g`,
      [passwordHash, from, to],
    ),
  );
}

/**
 * Token rows shaped like oidc-provider's: 40% AccessToken, 30% RefreshToken,
 * 20% Grant, 10% ClientCredentials, unexpired (so the purge keeps them), with
 * the lookup columns the store copies out of the payload filled the same way.
 */
async function seedTokens(db: SqlDriver, count: number, accounts: number): Promise<void> {
  const columns = await columnsOf(db, 'oidc_payloads');
  // Lookup columns added by later migrations, filled when present.
  const optional = [
    ['account_id', 'account_id'],
    ['session_uid', 'session_uid'],
  ].filter(([column]) => columns.has(column!));
  const names = ['model', 'id', 'payload', 'grant_id', 'expires_at', ...optional.map(([c]) => c!)].join(', ');
  const values = ['model', 'id', 'payload', 'case when model = \'Grant\' or model = \'ClientCredentials\' then null else grant_id end', 'expires_at', ...optional.map(([, v]) => `case when model = 'ClientCredentials' then null else ${v} end`)].join(', ');
  await inChunks(count, (from, to) =>
    db.query(
      `insert into oidc_payloads (${names})
       select ${values} from (
         select
           case when g % 10 < 4 then 'AccessToken' when g % 10 < 7 then 'RefreshToken'
                when g % 10 < 9 then 'Grant' else 'ClientCredentials' end as model,
           ${tokenIdOf("'token-' || g")} as id,
           ${uuidOf("'grant-' || (g / 4)")} as grant_id,
           ${uuidOf("'account-' || (g % $3::int + 1)")} as account_id,
           ${uuidOf("'session-' || (g / 4)")} as session_uid,
           now() + interval '1 day' as expires_at,
           extract(epoch from now())::int as iat,
           g
         from generate_series($1::int, $2::int) g
       ) t, lateral (select jsonb_build_object(
         'iat', iat, 'exp', iat + 86400, 'jti', id, 'kind', model,
         'accountId', account_id, 'clientId', 'bench-web', 'grantId', grant_id, 'sessionUid', session_uid,
         'scope', 'openid email profile offline_access', 'gty', 'authorization_code'
       ) as payload) p`,
      [from, to, accounts],
    ),
  );
}

/** One live API session per seeded account, when the store has sessions (migration 002). */
async function seedSessions(db: SqlDriver, accounts: number): Promise<number> {
  if ((await columnsOf(db, 'sessions')).size === 0) return 0;
  await inChunks(accounts, (from, to) =>
    db.query(
      `insert into sessions (id, account_id, kind, client_id, device_name, device_type, user_agent, ip_address,
                             created_at, last_active_at, expires_at)
       select ${uuidOf("'session-' || g")}, ${uuidOf("'account-' || g")}, 'api', 'bench-first-party', 'Seed device', 'desktop',
              'bench/1.0', '127.0.0.1', now(), now(), now() + interval '30 days'
       from generate_series($1::int, $2::int) g`,
      [from, to],
    ),
  );
  return accounts;
}

/**
 * Run `load` with the table's secondary indexes dropped, then rebuild them
 * from their own definitions: one sorted build is many times faster than a
 * million random btree inserts (PostgreSQL's advice for bulk loading, §14.4).
 */
async function withoutSecondaryIndexes(db: SqlDriver, table: string, load: () => Promise<void>): Promise<void> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as definition
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
     where t.relname = $1 and t.relnamespace = current_schema()::regnamespace
       and not x.indisprimary and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`,
    [table],
  );
  for (const index of rows) await db.query(`drop index "${index.name}"`);
  try {
    await load();
  } finally {
    for (const index of rows) await db.query(index.definition);
  }
}

/** Seed `counts` on top of what is there; `passwordHash` is shared by every seeded account. */
export async function seed(db: SqlDriver, counts: SeedCounts, passwordHash: string): Promise<SeedResult> {
  const started = performance.now();
  await seedAccounts(db, counts.accounts, passwordHash);
  const sessions = await seedSessions(db, counts.accounts);
  await withoutSecondaryIndexes(db, 'oidc_payloads', () => seedTokens(db, counts.tokens, Math.max(1, counts.accounts)));
  // Planner statistics as a database that grew over time would have them.
  await db.query('analyze');
  return { ...counts, sessions, ms: performance.now() - started };
}
