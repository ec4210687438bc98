// What a starting server tells its operator, one line each: the database in
// use, the clients it serves and where each comes from, the issuer and the
// docs. Where mail goes is said by the mailer (services/mail-transport.ts).
// Nothing secret: a database URL is shown without its password.
import { resolve } from 'node:path';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { ClientStore } from './storage/ports/clients.ts';

const SOURCE_NAMES: Record<string, string> = { builtin: 'built-in', file: 'CLIENTS_FILE', api: 'admin API' };

/** Clients named per source in the start line; past this the line gives the count. */
const NAMED_CLIENTS = 20;

/**
 * DATABASE_URL without its password and query, or where the embedded
 * database lives. Not through URL: a MongoDB seed list (host1,host2) is no
 * WHATWG URL. A password is percent-encoded, so it holds no `@` or `/`.
 */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `embedded PGlite in ${resolve(config.dataDir, 'pglite')}`;
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^:@/]*)(?::[^@/]*)?@)?([^?#]*)/i.exec(config.databaseUrl);
  if (!match) return 'DATABASE_URL (not shown)';
  const [, scheme, user, rest] = match;
  // Query parameters may carry credentials too (tlsCertificateKeyFilePassword).
  return `${scheme}${user === undefined ? '' : `${user}:***@`}${rest}`;
}

export async function reportStartup(config: Readonly<Config>, logger: Logger, clients: Pick<ClientStore, 'findAll'>): Promise<void> {
  logger.info({ database: describeDatabase(config) }, `database: ${describeDatabase(config)}`);
  const bySource = new Map<string, string[]>();
  for (const client of await clients.findAll()) {
    const source = SOURCE_NAMES[client.source] ?? client.source;
    bySource.set(source, [...(bySource.get(source) ?? []), client.clientId]);
  }
  const summary = Object.fromEntries([...bySource].map(([source, ids]) => [source, ids.length > NAMED_CLIENTS ? `${ids.length} clients` : ids]));
  const text = [...bySource].map(([source, ids]) => `${source}: ${ids.length > NAMED_CLIENTS ? `${ids.length} clients` : ids.join(', ')}`).join('; ');
  logger.info({ clients: summary, clientsFile: config.clientsFile ?? null }, `clients loaded (${text || 'none'})${config.clientsFile ? `; CLIENTS_FILE is ${config.clientsFile}` : ''}`);
  logger.info({ issuer: config.issuer }, `issuer: ${config.issuer}`);
  logger.info({ docs: `${config.publicUrl}/docs` }, `API docs: ${config.publicUrl}/docs`);
}
