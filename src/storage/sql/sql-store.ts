import type { Store } from '../ports.ts';
import { createSqlAccountStore } from './account-store.ts';
import { createSqlClientStore } from './client-store.ts';
import type { SqlDriver } from './driver.ts';
import { runMigrations } from './migrations.ts';
import { createSqlOidcStore } from './oidc-store.ts';
import { createSqlSecretStore } from './secret-store.ts';

/** Migrate the database behind `driver`, then expose it as a Store that owns the driver (closed on failure too). */
export async function openSqlStore(driver: SqlDriver): Promise<Store> {
  try {
    await runMigrations(driver);
  } catch (err) {
    await driver.close().catch(() => {});
    throw err;
  }
  return {
    oidc: createSqlOidcStore(driver),
    accounts: createSqlAccountStore(driver),
    clients: createSqlClientStore(driver),
    secrets: createSqlSecretStore(driver),
    async ping() {
      await driver.query('select 1');
    },
    close: () => driver.close(),
  };
}
