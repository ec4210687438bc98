import type { ClientRecord, ClientStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  client_id: string;
  metadata: Record<string, unknown>;
}

function toClient(row: Row): ClientRecord {
  return { clientId: row.client_id, metadata: row.metadata };
}

export function createSqlClientStore(db: SqlDriver): ClientStore {
  return {
    async upsert(client) {
      await db.query(
        `insert into clients (client_id, metadata) values ($1, $2::jsonb)
         on conflict (client_id) do update set metadata = excluded.metadata, updated_at = now()`,
        [client.clientId, JSON.stringify(client.metadata)],
      );
    },

    async find(clientId) {
      const { rows } = await db.query<Row>('select client_id, metadata from clients where client_id = $1', [clientId]);
      return rows[0] === undefined ? undefined : toClient(rows[0]);
    },

    async findAll() {
      // collate "C": byte order, identical on every server whatever its locale.
      const { rows } = await db.query<Row>('select client_id, metadata from clients order by client_id collate "C"');
      return rows.map(toClient);
    },

    async delete(clientId) {
      const { rowCount } = await db.query('delete from clients where client_id = $1', [clientId]);
      return rowCount > 0;
    },
  };
}
