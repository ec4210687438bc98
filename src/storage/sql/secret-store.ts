import type { SecretKind, SecretRecord, SecretStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  id: string;
  kind: SecretKind;
  material: Record<string, unknown>;
  created_at: Date;
}

function toSecret(row: Row): SecretRecord {
  return { id: row.id, kind: row.kind, material: row.material, createdAt: row.created_at };
}

export function createSqlSecretStore(db: SqlDriver): SecretStore {
  return {
    async insert(secret) {
      // do nothing on conflict: the process that lost a first-start race keeps
      // the winner's secret instead of failing (see SecretStore.insert).
      const { rowCount } = await db.query(
        `insert into secrets (id, kind, material) values ($1, $2, $3::jsonb)
         on conflict (id) do nothing returning 1`,
        [secret.id, secret.kind, JSON.stringify(secret.material)],
      );
      return rowCount === 1;
    },

    async findByKind(kind) {
      const { rows } = await db.query<Row>(
        `select id, kind, material, created_at from secrets where kind = $1
         order by created_at desc, seq desc`,
        [kind],
      );
      return rows.map(toSecret);
    },

    async update(id, material) {
      const { rowCount } = await db.query('update secrets set material = $2::jsonb where id = $1', [id, JSON.stringify(material)]);
      return rowCount > 0;
    },

    async delete(id) {
      const { rowCount } = await db.query('delete from secrets where id = $1', [id]);
      return rowCount > 0;
    },
  };
}
