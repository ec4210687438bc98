// oidc-provider's adapter storage: one row per (model, id) with the lookup
// fields it queries by (grantId, uid, userCode) and those that end a sign-in or
// an account (sessionUid, accountId) copied out of the payload.
import { accountGrantOf, sortGrants, type OidcPayload, type OidcRecord, type OidcStore } from '../ports.ts';
import { holdingsOf } from '../session-holdings.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  payload: OidcPayload;
  consumed_at: Date | null;
  expires_at: Date | null;
}

function toRecord(row: Row | undefined): OidcRecord | undefined {
  if (row === undefined) return undefined;
  return { payload: row.payload, consumedAt: row.consumed_at, expiresAt: row.expires_at };
}

function stringField(payload: OidcPayload, key: string): string | null {
  const value = payload[key];
  return typeof value === 'string' ? value : null;
}

const LIVE = '(expires_at is null or expires_at > now())';

// consumed_at is kept on replace: re-saving a consumed code or refresh token
// must not make it usable again (single use, RFC 6749 §4.1.2 and §10.4).
const UPSERT_COLUMNS = 'model, id, payload, grant_id, uid, user_code, account_id, session_uid, expires_at';
const ON_CONFLICT = `on conflict (model, id) do update set
  payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
  user_code = excluded.user_code, account_id = excluded.account_id,
  session_uid = excluded.session_uid, expires_at = excluded.expires_at`;
const UPSERT = `insert into oidc_payloads (${UPSERT_COLUMNS})
  values ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9) ${ON_CONFLICT}`;

/**
 * Newly issued access, client-credentials and refresh tokens are committed
 * without waiting for the WAL to reach the disk (synchronous_commit off for
 * this one statement's transaction, PostgreSQL §28.4 "Asynchronous Commit").
 * The flush wait was the largest part of a token request's time on
 * PostgreSQL (the benchmark: client_credentials and refresh gained about
 * half with it off). What a crash can lose is at most the last few hundred
 * milliseconds of issued tokens: their holders get a 401 or invalid_grant
 * and sign in again. Nothing that ends or restricts access is relaxed:
 * consuming, revoking, destroying, grants and sessions still wait for the
 * flush, and a synchronous commit also flushes every relaxed one before it.
 */
const RELAXED_COMMIT_MODELS = new Set(['AccessToken', 'ClientCredentials', 'RefreshToken']);
// set_config(..., true) is SET LOCAL: it ends with this statement's own
// transaction (the store never calls upsert inside an explicit one).
const UPSERT_RELAXED = `insert into oidc_payloads (${UPSERT_COLUMNS})
  select $1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9::timestamptz
  from (select set_config('synchronous_commit', 'off', true)) relaxed ${ON_CONFLICT}`;
const COLUMNS = 'payload, consumed_at, expires_at';

interface PendingFind {
  model: string;
  resolve(record: OidcRecord | undefined): void;
  reject(err: unknown): void;
}

export function createSqlOidcStore(db: SqlDriver): OidcStore {
  async function findWhere(condition: string, params: unknown[]): Promise<OidcRecord | undefined> {
    const { rows } = await db.query<Row>(`select ${COLUMNS} from oidc_payloads where ${condition} and ${LIVE}`, params);
    return toRecord(rows[0]);
  }

  // oidc-provider looks one token value up under several models at once
  // (helpers/token_find.js: AccessToken and ClientCredentials in parallel, for
  // introspection and revocation). Finds of one id started in the same tick
  // share one statement; a find alone is the plain primary-key lookup.
  const pendingFinds = new Map<string, PendingFind[]>();

  async function runFinds(id: string, finds: PendingFind[]): Promise<void> {
    try {
      if (finds.length === 1) {
        finds[0]!.resolve(await findWhere('model = $1 and id = $2', [finds[0]!.model, id]));
        return;
      }
      const models = [...new Set(finds.map((f) => f.model))];
      const { rows } = await db.query<Row & { model: string }>(
        `select model, ${COLUMNS} from oidc_payloads where model = any($1::text[]) and id = $2 and ${LIVE}`,
        [models, id],
      );
      for (const find of finds) find.resolve(toRecord(rows.find((row) => row.model === find.model)));
    } catch (err) {
      for (const find of finds) find.reject(err);
    }
  }

  function find(model: string, id: string): Promise<OidcRecord | undefined> {
    return new Promise((resolve, reject) => {
      let finds = pendingFinds.get(id);
      if (!finds) {
        const batch: PendingFind[] = [];
        finds = batch;
        pendingFinds.set(id, batch);
        queueMicrotask(() => {
          pendingFinds.delete(id);
          void runFinds(id, batch);
        });
      }
      finds.push({ model, resolve, reject });
    });
  }

  return {
    async upsert(model, id, payload, expiresAt) {
      await db.query(
        RELAXED_COMMIT_MODELS.has(model) ? UPSERT_RELAXED : UPSERT,
        [
          model, id, JSON.stringify(payload),
          stringField(payload, 'grantId'), stringField(payload, 'uid'), stringField(payload, 'userCode'),
          stringField(payload, 'accountId'), stringField(payload, 'sessionUid'),
          expiresAt,
        ],
      );
    },

    find,
    findByUid: (model, uid) => findWhere('model = $1 and uid = $2', [model, uid]),
    findByUserCode: (model, userCode) => findWhere('model = $1 and user_code = $2', [model, userCode]),

    async consume(model, id) {
      // One conditional UPDATE: the row lock makes concurrent callers queue,
      // and each re-checks consumed_at after the winner commits, so one wins.
      const { rowCount } = await db.query(
        `update oidc_payloads set consumed_at = now()
         where model = $1 and id = $2 and consumed_at is null and ${LIVE}
         returning 1`,
        [model, id],
      );
      return rowCount === 1;
    },

    async destroy(model, id) {
      await db.query('delete from oidc_payloads where model = $1 and id = $2', [model, id]);
    },

    async revokeByGrantId(grantId, model) {
      const { rowCount } = model
        ? await db.query('delete from oidc_payloads where grant_id = $1 and model = $2', [grantId, model])
        : await db.query('delete from oidc_payloads where grant_id = $1', [grantId]);
      return rowCount;
    },

    async revokeBySessionUid(sessionUid) {
      // One statement: the grant ids are collected and their records deleted
      // in one snapshot. Grant payloads carry no grantId of their own (their
      // id is the grant id), and the Session record is found by its uid.
      const { rowCount } = await db.query(
        `with grants as (
           select distinct grant_id from oidc_payloads where session_uid = $1 and grant_id is not null
         )
         delete from oidc_payloads
         where grant_id in (select grant_id from grants)
            or (model = 'Grant' and id in (select grant_id from grants))
            or (model = 'Session' and uid = $1)`,
        [sessionUid],
      );
      return rowCount;
    },

    async listSessionHoldings(sessionUids) {
      if (sessionUids.length === 0) return [];
      // Both halves use an index: session_uid's, and (model, uid)'s.
      const { rows } = await db.query<{ uid: string; client_id: string | null; session: boolean }>(
        `select distinct session_uid as uid, payload->>'clientId' as client_id, false as session from oidc_payloads
           where session_uid = any($1::text[]) and ${LIVE}
         union
         select uid, null, true from oidc_payloads where model = 'Session' and uid = any($1::text[]) and ${LIVE}`,
        [sessionUids],
      );
      return holdingsOf(sessionUids, rows.map((row) => ({ uid: row.uid, clientId: row.client_id, session: row.session })));
    },

    async revokeByClientId(clientId) {
      // Grants carry clientId too, so a deleted client's grants go with its tokens.
      const { rowCount } = await db.query(`delete from oidc_payloads where payload ? 'clientId' and payload->>'clientId' = $1`, [clientId]);
      return rowCount;
    },

    async listGrantsOfAccount(accountId) {
      const { rows } = await db.query<{ id: string; payload: OidcPayload }>(
        `select id, payload from oidc_payloads where model = 'Grant' and account_id = $1 and ${LIVE}`,
        [accountId],
      );
      return sortGrants(rows.flatMap((row) => accountGrantOf(row.id, row.payload) ?? []));
    },

    async revokeAccountClient(accountId, clientId) {
      const { rowCount } = await db.query(
        `delete from oidc_payloads where account_id = $1 and payload ? 'clientId' and payload->>'clientId' = $2`,
        [accountId, clientId],
      );
      return rowCount;
    },

    async revokeByAccountId(accountId) {
      const { rowCount } = await db.query('delete from oidc_payloads where account_id = $1', [accountId]);
      return rowCount;
    },

    async deleteExpired(now) {
      const { rowCount } = await db.query('delete from oidc_payloads where expires_at <= $1', [now]);
      return rowCount;
    },
  };
}
