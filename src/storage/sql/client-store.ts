import type { ClientRecord, ClientSource, ClientStore, ClientWrite } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  client_id: string;
  metadata: Record<string, unknown>;
  source: ClientSource;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  revision: string | number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'client_id, metadata, source, previous_secret, previous_secret_expires_at, revision, created_at, updated_at';

function toClient(row: Row): ClientRecord {
  return {
    clientId: row.client_id,
    metadata: row.metadata,
    source: row.source,
    previousSecret:
      row.previous_secret === null || row.previous_secret_expires_at === null
        ? null
        : { secret: row.previous_secret, expiresAt: row.previous_secret_expires_at },
    revision: Number(row.revision),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function writeParams(client: ClientWrite): unknown[] {
  return [
    client.clientId,
    JSON.stringify(client.metadata),
    client.source ?? 'api',
    client.previousSecret?.secret ?? null,
    client.previousSecret?.expiresAt ?? null,
  ];
}

const INSERT = `insert into clients (client_id, metadata, source, previous_secret, previous_secret_expires_at)
  values ($1, $2::jsonb, $3, $4, $5)`;

export function createSqlClientStore(db: SqlDriver): ClientStore {
  return {
    async upsert(client) {
      await db.query(
        `${INSERT} on conflict (client_id) do update set metadata = excluded.metadata, source = excluded.source,
           previous_secret = excluded.previous_secret, previous_secret_expires_at = excluded.previous_secret_expires_at,
           revision = clients.revision + 1, updated_at = now()`,
        writeParams(client),
      );
    },

    async insert(client) {
      const { rowCount } = await db.query(`${INSERT} on conflict (client_id) do nothing`, writeParams(client));
      return rowCount === 1;
    },

    async update(clientId, change) {
      const keepPrevious = change.previousSecret === undefined;
      const { rowCount } = await db.query(
        `update clients set metadata = $2::jsonb, updated_at = now(), revision = revision + 1,
           previous_secret = case when $3 then previous_secret else $4 end,
           previous_secret_expires_at = case when $3 then previous_secret_expires_at else $5::timestamptz end
         where client_id = $1 and ($6::bigint is null or revision = $6::bigint)`,
        [
          clientId, JSON.stringify(change.metadata), keepPrevious, change.previousSecret?.secret ?? null,
          change.previousSecret?.expiresAt ?? null, change.ifRevision ?? null,
        ],
      );
      return rowCount === 1;
    },

    async find(clientId) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from clients where client_id = $1`, [clientId]);
      return rows[0] === undefined ? undefined : toClient(rows[0]);
    },

    async findAll() {
      // collate "C": byte order, identical on every server whatever its locale.
      const { rows } = await db.query<Row>(`select ${COLUMNS} from clients order by client_id collate "C"`);
      return rows.map(toClient);
    },

    async list({ after, limit }) {
      const { rows } = await db.query<Row>(
        `select ${COLUMNS} from clients where $1::text is null or client_id collate "C" > $1::text
         order by client_id collate "C" limit $2`,
        [after ?? null, limit],
      );
      return rows.map(toClient);
    },

    async delete(clientId) {
      const { rowCount } = await db.query('delete from clients where client_id = $1', [clientId]);
      return rowCount > 0;
    },
  };
}
