// Roles: name, description, permissions. Accounts reference roles by a
// foreign key (migration 004), so deleting a role an account holds fails in
// the database itself, whatever races the check.
import { RoleExistsError, RoleInUseError } from '../../errors.ts';
import type { RoleRecord, RoleStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface Row {
  name: string;
  description: string;
  permissions: string[];
}

const COLUMNS = 'name, description, permissions';

const toRole = (row: Row): RoleRecord => ({ name: row.name, description: row.description, permissions: [...row.permissions] });

const code = (err: unknown) => (err as { code?: unknown })?.code;

export function createSqlRoleStore(db: SqlDriver): RoleStore {
  async function countHolders(name: string, tx: SqlDriver = db) {
    const { rows } = await tx.query<{ accounts: number; clients: number }>(
      `select (select count(*)::int from accounts where role = $1) as accounts,
              (select count(*)::int from clients where metadata->>'role' = $1) as clients`,
      [name],
    );
    return { accounts: rows[0]!.accounts, clients: rows[0]!.clients };
  }

  return {
    async find(name) {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from roles where name = $1`, [name]);
      return rows[0] && toRole(rows[0]);
    },

    async list() {
      const { rows } = await db.query<Row>(`select ${COLUMNS} from roles order by name collate "C"`);
      return rows.map(toRole);
    },

    async insert(role) {
      try {
        const { rows } = await db.query<Row>(
          `insert into roles (name, description, permissions) values ($1, $2, $3::jsonb) returning ${COLUMNS}`,
          [role.name, role.description, JSON.stringify(role.permissions)],
        );
        return toRole(rows[0]!);
      } catch (err) {
        if (code(err) === '23505') throw new RoleExistsError();
        throw err;
      }
    },

    async update(name, patch) {
      const { rows } = await db.query<Row>(
        `update roles set description = coalesce($2, description), permissions = coalesce($3::jsonb, permissions),
           updated_at = now() where name = $1 returning ${COLUMNS}`,
        [name, patch.description ?? null, patch.permissions === undefined ? null : JSON.stringify(patch.permissions)],
      );
      return rows[0] && toRole(rows[0]);
    },

    async delete(name) {
      try {
        return await db.transaction(async (tx) => {
          // Clients name their role in their metadata, which no key can
          // reference: checked here; accounts are the foreign key's.
          if ((await countHolders(name, tx)).clients > 0) throw new RoleInUseError();
          const { rowCount } = await tx.query('delete from roles where name = $1', [name]);
          return rowCount > 0;
        });
      } catch (err) {
        if (code(err) === '23503') throw new RoleInUseError();
        throw err;
      }
    },

    countHolders: (name) => countHolders(name),
  };
}
