// One row per sign-in. Every method takes `now` from the caller, so the clock
// is the application's (and a test's), never the database server's.
import type { SessionKind, SessionRecord, SessionStore } from '../ports.ts';
import { ACCOUNT_COLUMNS, toAccount, type AccountRow } from './account-store.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  id: string;
  account_id: string;
  kind: SessionKind;
  client_id: string | null;
  device_name: string | null;
  device_type: string | null;
  user_agent: string | null;
  ip_address: string | null;
  created_at: Date;
  last_active_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  amr: string[];
}

const COLUMNS = `id, account_id, kind, client_id, device_name, device_type, user_agent, ip_address,
  created_at, last_active_at, expires_at, revoked_at, amr`;

function toSession(row: Row): SessionRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    clientId: row.client_id,
    deviceName: row.device_name,
    deviceType: row.device_type,
    userAgent: row.user_agent,
    ipAddress: row.ip_address,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    amr: [...(row.amr ?? [])],
  };
}

/** "t.a, t.b" from "a, b"; with a prefix, "t.a as p_a, ...". */
const qualified = (table: string, columns: string, prefix?: string) =>
  columns.split(',').map((c) => c.trim()).map((c) => (prefix ? `${table}.${c} as ${prefix}${c}` : `${table}.${c}`)).join(', ');

// Live at `now` when the parameter numbered `now` is bound to it.
// Unqualified: accounts, the one table joined, has neither column.
const live = (now: string) => `revoked_at is null and expires_at > ${now}`;

const SELECT_LIVE_WITH_ACCOUNT = `select ${qualified('s', COLUMNS)}, ${qualified('a', ACCOUNT_COLUMNS, 'a_')}
  from sessions s join accounts a on a.id = s.account_id
  where s.id = $1 and ${live('$2')}`;

export function createSqlSessionStore(db: SqlDriver): SessionStore {
  return {
    async upsert(session, now) {
      // The where clause of "do update" is what keeps a revoked session dead:
      // a browser request racing its logout cannot bring it back. A session id
      // is never moved to another account either.
      await db.query(
        `insert into sessions (id, account_id, kind, client_id, device_name, device_type, user_agent, ip_address,
           created_at, last_active_at, expires_at, amr)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11::jsonb)
         on conflict (id) do update set expires_at = greatest(sessions.expires_at, excluded.expires_at), last_active_at = excluded.last_active_at,
           amr = case when jsonb_array_length(excluded.amr) > 0 then excluded.amr else sessions.amr end
         where sessions.revoked_at is null and sessions.account_id = excluded.account_id`,
        [
          session.id, session.accountId, session.kind, session.clientId, session.deviceName, session.deviceType,
          session.userAgent, session.ipAddress, now, session.expiresAt, JSON.stringify(session.amr ?? []),
        ],
      );
    },

    async extend(id, expiresAt) {
      await db.query('update sessions set expires_at = $2 where id = $1 and revoked_at is null and expires_at < $2', [id, expiresAt]);
    },

    async findLive(id, now) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from sessions where id = $1 and ${live('$2')}`, [id, now]);
      return rows[0] === undefined ? undefined : toSession(rows[0]);
    },

    async findLiveWithAccount(id, now) {
      const { rows } = await db.query<Row & { [K in keyof AccountRow as `a_${K}`]: AccountRow[K] }>(
        SELECT_LIVE_WITH_ACCOUNT,
        [id, now],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const aliased = Object.fromEntries(Object.entries(row).filter(([key]) => key.startsWith('a_')).map(([key, value]) => [key.slice(2), value]));
      const account = toAccount(aliased as unknown as AccountRow)!;
      return { session: toSession(row), account };
    },

    async countLive(now) {
      const { rows } = await db.query<{ n: string | number }>(`select count(*) as n from sessions where ${live('$1')}`, [now]);
      return Number(rows[0]?.n ?? 0);
    },

    async findLiveByAccount(accountId, now) {
      // id breaks ties so the order is stable when two sign-ins share a millisecond.
      const { rows } = await db.query<Row>(
        `select ${COLUMNS} from sessions where account_id = $1 and ${live('$2')}
         order by created_at desc, id collate "C"`,
        [accountId, now],
      );
      return rows.map(toSession);
    },

    async touch(id, now) {
      await db.query(`update sessions set last_active_at = $2 where id = $1 and ${live('$2')}`, [id, now]);
    },

    async revoke(id, accountId, now) {
      const { rowCount } = await db.query(
        `update sessions set revoked_at = $3 where id = $1 and account_id = $2 and ${live('$3')}`,
        [id, accountId, now],
      );
      return rowCount === 1;
    },

    async revokeAllForAccount(accountId, now, exceptId) {
      // "is distinct from" is true for every id when exceptId is null.
      const { rows } = await db.query<{ id: string }>(
        `update sessions set revoked_at = $2
         where account_id = $1 and ${live('$2')} and id is distinct from $3::text
         returning id`,
        [accountId, now, exceptId ?? null],
      );
      return rows.map((row) => row.id);
    },

    async deleteExpired(before) {
      const { rowCount } = await db.query('delete from sessions where expires_at <= $1 or revoked_at <= $1', [before]);
      return rowCount;
    },
  };
}
