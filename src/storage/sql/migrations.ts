// Applies pending migrations at open. Each runs in its own transaction under a
// transaction-scoped advisory lock, so two processes starting together against
// one PostgreSQL server serialise: the second waits, then sees the migration
// recorded and skips it. On PGlite (one connection) the lock is uncontended.
import type { SqlDriver } from './driver.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

// Keyed by schema so test runs in separate schemas do not wait for each other.
const LOCK = `select pg_advisory_xact_lock(hashtext('gatehouse.migrations:' || coalesce(current_schema(), '')))`;

/** Apply every migration not yet recorded; returns the ids applied by this call. */
export async function runMigrations(
  driver: SqlDriver,
  migrations: readonly Migration[] = allMigrations,
): Promise<string[]> {
  // Under the lock too: concurrent `create table if not exists` can still fail
  // on the catalog's unique index.
  await driver.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.query(`create table if not exists schema_migrations (
      id text primary key,
      applied_at timestamptz not null default now()
    )`);
  });

  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await driver.transaction(async (tx) => {
      await tx.query(LOCK);
      const done = await tx.query('select 1 from schema_migrations where id = $1', [migration.id]);
      if (done.rowCount > 0) return false;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('insert into schema_migrations (id) values ($1)', [migration.id]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}
