// `gatehouse create-admin --email <address>`: the first administrator,
// created directly in the database the server's environment points at
// (DATABASE_URL, or the embedded one under DATA_DIR), for when no admin
// exists yet to use the API. On the embedded database it needs the server
// stopped: DATA_DIR belongs to one process, and the lock's one line names
// the process holding it. The password comes from stdin (or a prompt) and
// obeys the same policy as every password.
import { ConfigError, parseConfig } from '../config.ts';
import { EmailExistsError } from '../errors.ts';
import { createAccountService } from '../services/accounts.ts';
import { createPasswordHasher } from '../services/password-hasher.ts';
import { createPasswordPolicy } from '../services/password-policy.ts';
import { createRateLimits } from '../services/rate-limits.ts';
import { createSignInSources } from '../services/sign-in-source.ts';
import { DataDirLockedError } from '../storage/data-dir-lock.ts';
import { openStore } from '../storage/open-store.ts';
import type { Store } from '../storage/ports.ts';
import { type CommandGroup, required } from './command.ts';
import { CliError, EXIT } from './errors.ts';
import { prompt, readStdin } from './secret-input.ts';

const refused = (code: string, message: string) => new CliError(EXIT.refused, `error: ${code}: ${message}`);

export const createAdminCommand: CommandGroup = {
  name: 'create-admin',
  summary: 'Create an admin account directly in the database (no server needed)',
  commands: [
    {
      name: 'create-admin',
      usage: '--email <address> [--name <name>]  (password on stdin, or typed at a prompt)',
      summary: 'Create a verified admin account directly in the database (DATABASE_URL / DATA_DIR)',
      options: { email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
      async run(ctx) {
        const email = required(ctx, 'email');
        let config;
        try {
          config = parseConfig(ctx.env);
        } catch (err) {
          if (err instanceof ConfigError) throw refused('INVALID_CONFIGURATION', err.message);
          throw err;
        }
        const password = ctx.stdin.isTTY && ctx.values['password-stdin'] !== true
          ? await prompt('Password for the new admin: ', ctx.stdin)
          : await readStdin(ctx.stdin);
        const weakness = createPasswordPolicy({ minLength: config.passwordMinLength }).weakness(password, email);
        if (weakness) throw refused('WEAK_PASSWORD', weakness);

        let store: Store;
        try {
          store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        } catch (err) {
          if (err instanceof DataDirLockedError) throw refused('DATA_DIR_IN_USE', `${err.message}; or, with the server running, use \`gatehouse users create\``);
          throw refused('UNAVAILABLE', `cannot open the database: ${(err as Error).message}`);
        }
        try {
          const accounts = createAccountService({
            accounts: store.accounts,
            hasher: await createPasswordHasher(config.argon2, config.passwordHashing),
            requireEmailVerification: config.requireEmailVerification,
            rateLimits: createRateLimits((rule) => store.createRateLimiter(rule), config.rateLimits),
            sources: createSignInSources(store.sessions, store.accounts),
          });
          const name = typeof ctx.values.name === 'string' ? ctx.values.name : null;
          const account = await accounts.create({ email, password, name, role: 'admin', emailVerified: true });
          ctx.out.done({ id: account.id, email: account.email, role: account.role }, `created admin ${account.email} (${account.id})`);
        } catch (err) {
          if (err instanceof EmailExistsError) throw refused(EmailExistsError.code, err.message);
          throw err;
        } finally {
          await store.close();
        }
      },
    },
  ],
};
