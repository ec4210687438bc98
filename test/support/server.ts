// Starts a real Gatehouse (startServer, the same wiring as main.ts) on an
// in-memory PGlite (or MongoDB with TEST_BACKEND=mongodb) and a free loopback port.
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { freePort } from './free-port.ts';
import type { Role, Store } from '../../src/storage/ports.ts';
import { createPasswordHasher } from '../../src/services/password-hasher.ts';
import { normalizeEmail } from '../../src/services/email.ts';
import { openTestStore } from './test-store.ts';

export interface TestServer {
  url: string;
  issuer: string;
  store: Store;
  config: Readonly<Config>;
  running: RunningServer;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clients?: Array<Record<string, unknown>>;
  /** Reuse a store (e.g. to restart on the same data); otherwise a fresh in-memory PGlite. */
  store?: Store;
  port?: number;
  /** Where the log lines go (tests that read them); its level is LOG_LEVEL's. */
  logDestination?: { write(line: string): void };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const store = options.store ?? (config.databaseUrl || options.env?.DATA_DIR ? undefined : await openTestStore());
  const running = await startServer(config, createLogger(config.logLevel, options.logDestination), {
    store,
    clients: options.clients as never,
    host: '127.0.0.1',
  });
  return { url, issuer: config.issuer, store: running.store, config, running, close: () => running.close() };
}

/** Create an account directly through the account service (cheap argon2 parameters are not used: the real ones are). */
export async function createTestAccount(
  server: Pick<TestServer, 'store' | 'config'>,
  input: { email: string; password: string; emailVerified?: boolean; role?: Role; name?: string },
): Promise<{ id: string }> {
  const hasher = await createPasswordHasher(server.config.argon2);
  const account = await server.store.accounts.insert({
    id: crypto.randomUUID(),
    email: normalizeEmail(input.email),
    emailVerified: input.emailVerified ?? true,
    name: input.name ?? null,
    role: input.role ?? 'user',
    passwordHash: await hasher.hash(input.password),
  });
  return { id: account.id };
}
