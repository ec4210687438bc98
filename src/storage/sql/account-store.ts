import { EmailExistsError, LastAdminError, RoleNotFoundError } from '../../errors.ts';
import type { Account, AccountListQuery, AccountPatch, AccountStore, Role } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

export interface AccountRow {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  picture: string | null;
  role: Role;
  password_hash: string;
  disabled: boolean;
  last_sign_in_at: Date | null;
  locked_until: Date | null;
  lock_generation: number;
  created_at: Date;
  updated_at: Date;
}

export const ACCOUNT_COLUMNS = `id, email, email_verified, name, picture, role, password_hash, disabled, last_sign_in_at,
  locked_until, lock_generation, created_at, updated_at`;

export function toAccount(row: AccountRow | undefined): Account | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    picture: row.picture,
    role: row.role,
    passwordHash: row.password_hash,
    disabled: row.disabled,
    lastSignInAt: row.last_sign_in_at,
    lockedUntil: row.locked_until,
    lockGeneration: row.lock_generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Patch keys to columns; only these names ever reach the SQL text.
const PATCH_COLUMNS: { [K in keyof Required<AccountPatch>]: string } = {
  name: 'name',
  picture: 'picture',
  emailVerified: 'email_verified',
  role: 'role',
  passwordHash: 'password_hash',
  disabled: 'disabled',
};

function isEmailConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23505' && e.constraint === 'accounts_email_key';
}

function isUnknownRole(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown };
  return e?.code === '23503' && e.constraint === 'accounts_role_fkey';
}

/** `like` pattern for "contains", with the pattern's own metacharacters escaped. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const ENABLED_ADMIN = `role = 'admin' and not disabled`;

/**
 * In the caller's transaction: lock every enabled admin row (in id order,
 * so concurrent callers queue instead of deadlocking) and refuse when `id`
 * is the only one. Under read committed a waiting caller re-reads the rows
 * once the first commits, so a row demoted meanwhile is no longer counted.
 */
async function assertAnotherAdmin(tx: SqlDriver, id: string): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    `select id from accounts where ${ENABLED_ADMIN} order by id collate "C" for update`,
  );
  if (rows.some((row) => row.id === id) && rows.length === 1) throw new LastAdminError();
}

/** Whether the patch takes the account out of the enabled admins (if it is one). */
const mayRemoveAdmin = (patch: AccountPatch) => (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;

export function createSqlAccountStore(db: SqlDriver): AccountStore {
  async function update(tx: SqlDriver, id: string, patch: AccountPatch): Promise<Account | undefined> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [id];
    for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
      const value = patch[key as keyof AccountPatch];
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    try {
      const { rows } = await tx.query<AccountRow>(
        `update accounts set ${sets.join(', ')} where id = $1 returning ${ACCOUNT_COLUMNS}`,
        params,
      );
      return toAccount(rows[0]);
    } catch (err) {
      if (isUnknownRole(err)) throw new RoleNotFoundError();
      throw err;
    }
  }

  return {
    async insert(account) {
      try {
        // The unique constraint, not a prior lookup, decides: concurrent
        // inserts of one email wait on the first and then fail with 23505.
        const { rows } = await db.query<AccountRow>(
          `insert into accounts (id, email, email_verified, name, role, password_hash, disabled)
           values ($1, $2, $3, $4, $5, $6, $7) returning ${ACCOUNT_COLUMNS}`,
          [account.id, account.email, account.emailVerified, account.name, account.role, account.passwordHash, account.disabled ?? false],
        );
        return toAccount(rows[0])!;
      } catch (err) {
        if (isEmailConflict(err)) throw new EmailExistsError();
        if (isUnknownRole(err)) throw new RoleNotFoundError();
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

    async list(query: AccountListQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (query.q !== undefined && query.q !== '') {
        const pattern = param(containing(query.q));
        where.push(`(email ilike ${pattern} or name ilike ${pattern})`);
      }
      if (query.role !== undefined) where.push(`role = ${param(query.role)}`);
      if (query.status === 'disabled') where.push('disabled');
      if (query.status === 'locked') where.push(`locked_until > ${param(query.now)}`);
      if (query.status === 'active') where.push(`not disabled and (locked_until is null or locked_until <= ${param(query.now)})`);
      if (query.after) {
        where.push(`(created_at, id collate "C") < (${param(query.after.createdAt)}, ${param(query.after.id)} collate "C")`);
      }
      const { rows } = await db.query<AccountRow>(
        `select ${ACCOUNT_COLUMNS} from accounts ${where.length ? `where ${where.join(' and ')}` : ''}
         order by created_at desc, id collate "C" desc limit ${param(query.limit)}`,
        params,
      );
      return rows.map((row) => toAccount(row)!);
    },

    async update(id, patch, options = {}) {
      if (!options.keepAnAdmin || !mayRemoveAdmin(patch)) return update(db, id, patch);
      return db.transaction(async (tx) => {
        await assertAnotherAdmin(tx, id);
        return update(tx, id, patch);
      });
    },

    async recordSignIn(id, at) {
      await db.query('update accounts set last_sign_in_at = $2 where id = $1', [id, at]);
    },

    async markLocked(id, lockGeneration, until) {
      await db.query(
        `update accounts set locked_until = greatest(locked_until, $3) where id = $1 and lock_generation = $2`,
        [id, lockGeneration, until],
      );
    },

    async unlock(id) {
      const { rows } = await db.query<AccountRow>(
        `update accounts set lock_generation = lock_generation + 1, locked_until = null where id = $1 returning ${ACCOUNT_COLUMNS}`,
        [id],
      );
      return toAccount(rows[0]);
    },

    async delete(id, options = {}) {
      // Sessions and one-time tokens go with it: their foreign keys cascade.
      if (!options.keepAnAdmin) {
        const { rowCount } = await db.query('delete from accounts where id = $1', [id]);
        return rowCount > 0;
      }
      return db.transaction(async (tx) => {
        await assertAnotherAdmin(tx, id);
        const { rowCount } = await tx.query('delete from accounts where id = $1', [id]);
        return rowCount > 0;
      });
    },
  };
}
