// Second factors, recovery codes and pending sign-ins. Every single-use
// guarantee (a TOTP step, a recovery code, an mfa_token) is one conditional
// UPDATE: the row lock queues concurrent callers and each re-checks the
// condition after the winner commits, so exactly one gets a row back.
import { FactorExistsError } from '../../errors.ts';
import type { Factor, FactorStore, FactorType, PendingSignIn } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface FactorRow {
  id: string;
  account_id: string;
  type: FactorType;
  name: string;
  secret: string | null;
  credential_id: string | null;
  public_key: string | null;
  counter: string | number;
  transports: string[];
  confirmed_at: Date | null;
  last_used_at: Date | null;
  last_used_step: string | number | null;
  created_at: Date;
}

const COLUMNS = `id, account_id, type, name, secret, credential_id, public_key, counter, transports,
  confirmed_at, last_used_at, last_used_step, created_at`;

const toFactor = (row: FactorRow): Factor => ({
  id: row.id,
  accountId: row.account_id,
  type: row.type,
  name: row.name,
  secret: row.secret,
  credentialId: row.credential_id,
  publicKey: row.public_key,
  counter: Number(row.counter),
  transports: [...row.transports],
  confirmedAt: row.confirmed_at,
  lastUsedAt: row.last_used_at,
  lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
  createdAt: row.created_at,
});

interface PendingRow {
  account_id: string;
  context: Record<string, unknown>;
  expires_at: Date;
}

const toPending = (row: PendingRow): PendingSignIn => ({ accountId: row.account_id, context: row.context, expiresAt: row.expires_at });

const code = (err: unknown) => (err as { code?: unknown })?.code;

export function createSqlFactorStore(db: SqlDriver): FactorStore {
  const one = async (text: string, params: unknown[]) => {
    const { rows } = await db.query<FactorRow>(text, params);
    return rows[0] && toFactor(rows[0]);
  };

  return {
    async insert(factor) {
      try {
        const { rows } = await db.query<FactorRow>(
          `insert into mfa_factors (id, account_id, type, name, secret, credential_id, public_key, counter, transports, confirmed_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11) returning ${COLUMNS}`,
          [
            factor.id, factor.accountId, factor.type, factor.name, factor.secret ?? null, factor.credentialId ?? null,
            factor.publicKey ?? null, factor.counter ?? 0, JSON.stringify(factor.transports ?? []), factor.confirmedAt, factor.createdAt,
          ],
        );
        return toFactor(rows[0]!);
      } catch (err) {
        if (code(err) === '23505') throw new FactorExistsError();
        throw err;
      }
    },

    find: (id) => one(`select ${COLUMNS} from mfa_factors where id = $1`, [id]),

    findByCredentialId: (credentialId) => one(`select ${COLUMNS} from mfa_factors where credential_id = $1`, [credentialId]),

    async listByAccount(accountId) {
      const { rows } = await db.query<FactorRow>(
        `select ${COLUMNS} from mfa_factors where account_id = $1 order by created_at, id collate "C"`,
        [accountId],
      );
      return rows.map(toFactor);
    },

    useTotpStep: (id, step, now, options = {}) =>
      one(
        `update mfa_factors set last_used_step = $2, last_used_at = $3, confirmed_at = coalesce(confirmed_at, $3)
         where id = $1 and type = 'totp' and (last_used_step is null or last_used_step < $2)
           and (confirmed_at is null) = $4
         returning ${COLUMNS}`,
        [id, step, now, options.confirm === true],
      ),

    useWebauthnCounter: (id, counter, now) =>
      one(
        `update mfa_factors set counter = $2, last_used_at = $3
         where id = $1 and type = 'webauthn' and confirmed_at is not null and (counter < $2 or (counter = 0 and $2 = 0))
         returning ${COLUMNS}`,
        [id, counter, now],
      ),

    rename: (id, accountId, name) =>
      one(`update mfa_factors set name = $3 where id = $1 and account_id = $2 returning ${COLUMNS}`, [id, accountId, name]),

    async delete(id, accountId) {
      const { rowCount } = await db.query('delete from mfa_factors where id = $1 and account_id = $2', [id, accountId]);
      return rowCount > 0;
    },

    async deletePendingBefore(cutoff) {
      const { rowCount } = await db.query(
        `delete from mfa_factors where confirmed_at is null and type = 'totp' and created_at < $1`,
        [cutoff],
      );
      return rowCount;
    },

    deleteAllForAccount: (accountId) =>
      db.transaction(async (tx) => {
        await tx.query('delete from mfa_recovery_codes where account_id = $1', [accountId]);
        await tx.query('delete from mfa_pending_sign_ins where account_id = $1', [accountId]);
        const { rowCount } = await tx.query('delete from mfa_factors where account_id = $1', [accountId]);
        return rowCount;
      }),

    async replaceRecoveryCodes(accountId, hashes, now) {
      await db.transaction(async (tx) => {
        // Locking the account row serialises two regenerations: without it
        // both would delete nothing new and both sets would stay valid.
        await tx.query('select 1 from accounts where id = $1 for no key update', [accountId]);
        await tx.query('delete from mfa_recovery_codes where account_id = $1', [accountId]);
        if (hashes.length === 0) return;
        await tx.query(
          `insert into mfa_recovery_codes (account_id, hash, created_at)
           select $1, h, $3 from jsonb_array_elements_text($2::jsonb) as h`,
          [accountId, JSON.stringify(hashes), now],
        );
      });
    },

    async consumeRecoveryCode(accountId, hash, now) {
      const { rowCount } = await db.query(
        'update mfa_recovery_codes set used_at = $3 where account_id = $1 and hash = $2 and used_at is null',
        [accountId, hash, now],
      );
      return rowCount > 0;
    },

    async countRecoveryCodes(accountId) {
      const { rows } = await db.query<{ n: number }>(
        'select count(*)::int as n from mfa_recovery_codes where account_id = $1 and used_at is null',
        [accountId],
      );
      return rows[0]!.n;
    },

    async insertPendingSignIn(pending) {
      await db.query(
        'insert into mfa_pending_sign_ins (hash, account_id, context, expires_at) values ($1, $2, $3::jsonb, $4)',
        [pending.hash, pending.accountId, JSON.stringify(pending.context), pending.expiresAt],
      );
    },

    async findPendingSignIn(hash, now) {
      const { rows } = await db.query<PendingRow>(
        `select account_id, context, expires_at from mfa_pending_sign_ins
         where hash = $1 and consumed_at is null and expires_at > $2`,
        [hash, now],
      );
      return rows[0] && toPending(rows[0]);
    },

    async setPendingSignInContext(hash, context, now) {
      const { rowCount } = await db.query(
        `update mfa_pending_sign_ins set context = $2::jsonb where hash = $1 and consumed_at is null and expires_at > $3`,
        [hash, JSON.stringify(context), now],
      );
      return rowCount > 0;
    },

    async consumePendingSignIn(hash, now) {
      const { rows } = await db.query<PendingRow>(
        `update mfa_pending_sign_ins set consumed_at = $2
         where hash = $1 and consumed_at is null and expires_at > $2
         returning account_id, context, expires_at`,
        [hash, now],
      );
      return rows[0] && toPending(rows[0]);
    },

    async deleteExpiredPendingSignIns(now) {
      const { rowCount } = await db.query(
        'delete from mfa_pending_sign_ins where expires_at <= $1 or consumed_at is not null',
        [now],
      );
      return rowCount;
    },
  };
}
