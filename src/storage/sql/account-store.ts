import { EmailExistsError } from '../../errors.ts';
import type { Account, AccountPatch, AccountStore, Role } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

export interface AccountRow {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  role: Role;
  password_hash: string;
  created_at: Date;
  updated_at: Date;
}

export const ACCOUNT_COLUMNS = 'id, email, email_verified, name, role, password_hash, created_at, updated_at';

export function toAccount(row: AccountRow | undefined): Account | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Patch keys to columns; only these names ever reach the SQL text.
const PATCH_COLUMNS: { [K in keyof Required<AccountPatch>]: string } = {
  name: 'name',
  emailVerified: 'email_verified',
  role: 'role',
  passwordHash: 'password_hash',
};

function isEmailConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && e.constraint === 'accounts_email_key';
}

export function createSqlAccountStore(db: SqlDriver): AccountStore {
  return {
    async insert(account) {
      try {
        // The unique constraint, not a prior lookup, decides: concurrent
        // inserts of one email wait on the first and then fail with 23505.
        const { rows } = await db.query<AccountRow>(
          `insert into accounts (id, email, email_verified, name, role, password_hash)
           values ($1, $2, $3, $4, $5, $6) returning ${ACCOUNT_COLUMNS}`,
          [account.id, account.email, account.emailVerified, account.name, account.role, account.passwordHash],
        );
        return toAccount(rows[0])!;
      } catch (err) {
        if (isEmailConflict(err)) throw new EmailExistsError();
        throw err;
      }
    },

    async findById(id) {
      const { rows } = await db.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from accounts where id = $1`, [id]);
      return toAccount(rows[0]);
    },

    async findByEmail(email) {
      const { rows } = await db.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from accounts where email = $1`, [email]);
      return toAccount(rows[0]);
    },

    async update(id, patch) {
      const sets = ['updated_at = now()'];
      const params: unknown[] = [id];
      for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
        const value = patch[key as keyof AccountPatch];
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      const { rows } = await db.query<AccountRow>(
        `update accounts set ${sets.join(', ')} where id = $1 returning ${ACCOUNT_COLUMNS}`,
        params,
      );
      return toAccount(rows[0]);
    },

    async delete(id) {
      // Sessions and one-time tokens go with it: their foreign keys cascade.
      const { rowCount } = await db.query('delete from accounts where id = $1', [id]);
      return rowCount > 0;
    },
  };
}
