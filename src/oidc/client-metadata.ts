// The clients file (CLIENTS_FILE): a JSON array of RFC 7591 client metadata,
// plus Gatehouse's `first_party` flag, synchronised into the client store at
// start (syncConfiguredClients).
// oidc-provider validates the metadata itself when a client is first used;
// this schema only catches what would otherwise fail late and obscurely.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { ClientStore, OidcStore } from '../storage/ports.ts';

const clientSchema = z
  .object({
    client_id: z.string().min(1).max(255),
    client_secret: z.string().min(32, 'client_secret must be at least 32 characters').optional(),
    redirect_uris: z.array(z.url()).optional(),
    grant_types: z.array(z.string()).optional(),
    first_party: z.boolean().optional(),
  })
  .loose();

const clientsFileSchema = z.array(clientSchema);

export type ClientMetadata = z.infer<typeof clientSchema>;

export class ClientsFileError extends Error {}

export async function readClientsFile(path: string): Promise<ClientMetadata[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new ClientsFileError(`CLIENTS_FILE ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ClientsFileError(`CLIENTS_FILE ${path} is not valid JSON`);
  }
  const parsed = clientsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClientsFileError(`CLIENTS_FILE ${path}: [${issue.path.join('.')}] ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Make the stored clients match the configuration: the built-in client and
 * every file client upserted (the file is their truth: an API client of the
 * same id becomes file-managed), and every file client no longer in the file
 * deleted with its grants and tokens. API clients are left alone. Returns
 * whether a client was deleted (other instances should hear of it).
 */
export async function syncConfiguredClients(
  deps: { clients: ClientStore; oidc: Pick<OidcStore, 'revokeByClientId'>; logger: Logger },
  configured: { builtin: ClientMetadata[]; file: ClientMetadata[] },
): Promise<boolean> {
  const stored = new Map((await deps.clients.findAll()).map((client) => [client.clientId, client]));
  for (const [source, list] of [['builtin', configured.builtin], ['file', configured.file]] as const) {
    for (const metadata of list) {
      if (source === 'file' && stored.get(metadata.client_id)?.source === 'api') {
        deps.logger.warn({ clientId: metadata.client_id }, 'CLIENTS_FILE names a client created through the admin API: the file now manages it');
      }
      await deps.clients.upsert({ clientId: metadata.client_id, metadata, source });
    }
  }
  const kept = new Set([...configured.builtin, ...configured.file].map((metadata) => metadata.client_id));
  let deleted = false;
  for (const client of stored.values()) {
    if (client.source !== 'file' || kept.has(client.clientId)) continue;
    await deps.clients.delete(client.clientId);
    await deps.oidc.revokeByClientId(client.clientId);
    deps.logger.info({ clientId: client.clientId }, 'client removed from CLIENTS_FILE: deleted with its grants and tokens');
    deleted = true;
  }
  return deleted;
}
