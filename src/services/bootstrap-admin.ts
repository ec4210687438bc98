import type { Logger } from '../logger.ts';
import type { AccountService } from './accounts.ts';
import { EmailExistsError } from '../errors.ts';

/**
 * ADMIN_EMAIL/ADMIN_PASSWORD: create that account as a verified admin when it
 * does not exist yet. An existing account is left untouched, so a restart
 * never resets a password an admin has since changed.
 */
export async function bootstrapAdmin(accounts: AccountService, admin: { email: string; password: string }, logger: Logger): Promise<void> {
  if (await accounts.findByEmail(admin.email)) return;
  try {
    const account = await accounts.create({ email: admin.email, password: admin.password, role: 'admin', emailVerified: true });
    logger.info({ accountId: account.id }, 'admin account created');
  } catch (err) {
    // Another process created it between our check and insert.
    if (!(err instanceof EmailExistsError)) throw err;
  }
}
