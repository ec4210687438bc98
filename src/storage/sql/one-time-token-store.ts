// Reset and verification tokens, stored as hashes and used up with one
// conditional UPDATE (kratos' useOneTimeCode): concurrent uses cannot both win.
import type { OneTimeTokenStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

export function createSqlOneTimeTokenStore(db: SqlDriver): OneTimeTokenStore {
  return {
    async insertReplacing(token) {
      await db.transaction(async (tx) => {
        // Locking the account row serialises two requests for the same account
        // (two reset mails sent at once): without it both would delete nothing
        // and both tokens would stay live. "no key update" does not block the
        // key-share locks that inserts referencing the account take.
        await tx.query('select 1 from accounts where id = $1 for no key update', [token.accountId]);
        await tx.query('delete from one_time_tokens where account_id = $1 and purpose = $2', [
          token.accountId, token.purpose,
        ]);
        await tx.query(
          'insert into one_time_tokens (hash, account_id, purpose, expires_at) values ($1, $2, $3, $4)',
          [token.hash, token.accountId, token.purpose, token.expiresAt],
        );
      });
    },

    async findLive(hash, purpose, now) {
      const { rows } = await db.query<{ account_id: string }>(
        `select account_id from one_time_tokens
         where hash = $1 and purpose = $2 and consumed_at is null and expires_at > $3`,
        [hash, purpose, now],
      );
      return rows[0]?.account_id;
    },

    async consume(hash, purpose, now) {
      // The row lock queues concurrent callers; each re-checks consumed_at
      // after the winner commits, so exactly one gets a row back.
      const { rows } = await db.query<{ account_id: string }>(
        `update one_time_tokens set consumed_at = $3
         where hash = $1 and purpose = $2 and consumed_at is null and expires_at > $3
         returning account_id`,
        [hash, purpose, now],
      );
      return rows[0]?.account_id;
    },

    async deleteForAccount(accountId, purpose) {
      const { rowCount } = await db.query(
        'delete from one_time_tokens where account_id = $1 and purpose = $2 and consumed_at is null',
        [accountId, purpose],
      );
      return rowCount;
    },

    async deleteExpired(now) {
      const { rowCount } = await db.query('delete from one_time_tokens where expires_at <= $1', [now]);
      return rowCount;
    },
  };
}
