import type { Store } from '../ports.ts';
import { createSqlAccountStore } from './account-store.ts';
import { createSqlAuditStore } from './audit-store.ts';
import { createSqlChangeStore } from './change-store.ts';
import { createSqlClientStore } from './client-store.ts';
import type { SqlDriver } from './driver.ts';
import { createSqlFactorStore } from './factor-store.ts';
import { runMigrations } from './migrations.ts';
import { createSqlOidcStore } from './oidc-store.ts';
import { createSqlOrganizationStore } from './organization-store.ts';
import { createSqlOneTimeTokenStore } from './one-time-token-store.ts';
import { createSqlRateLimiter } from './rate-limiter.ts';
import { createSqlRoleStore } from './role-store.ts';
import { createSqlSecretStore } from './secret-store.ts';
import { createSqlSessionStore } from './session-store.ts';

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
    // Deleting an account removes its sessions and one-time tokens through
    // their foreign keys (on delete cascade, migration 002).
    accounts: createSqlAccountStore(driver),
    roles: createSqlRoleStore(driver),
    clients: createSqlClientStore(driver),
    changes: createSqlChangeStore(driver),
    secrets: createSqlSecretStore(driver),
    sessions: createSqlSessionStore(driver),
    oneTimeTokens: createSqlOneTimeTokenStore(driver),
    audit: createSqlAuditStore(driver),
    factors: createSqlFactorStore(driver),
    organizations: createSqlOrganizationStore(driver),
    createRateLimiter: (rule) => createSqlRateLimiter(driver, rule),
    async ping() {
      await driver.query('select 1');
    },
    close: () => driver.close(),
    ...(driver.connections && { connections: () => driver.connections!() }),
  };
}
