// The clients file (CLIENTS_FILE): a JSON array of RFC 7591 client metadata,
// plus Gatehouse's `first_party` flag, upserted into the client store at start.
// oidc-provider validates the metadata itself when a client is first used;
// this schema only catches what would otherwise fail late and obscurely.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ClientStore } from '../storage/ports.ts';

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

export async function upsertClients(store: ClientStore, clients: ClientMetadata[]): Promise<void> {
  for (const metadata of clients) {
    await store.upsert({ clientId: metadata.client_id, metadata });
  }
}
