// oidc-provider looks its client up on every token, introspection and
// userinfo request. Clients change rarely (CLIENTS_FILE at start, an admin
// edit), so each process keeps the ones it found for a short time instead of
// asking the database each time: one statement fewer per request, measured by
// the benchmark (README, "Benchmarks").
//
// Staleness is bounded: a write through this process drops its entry at
// once; a write by another worker or instance is seen when the change feed
// (change-feed.ts) reports it and clear() empties the cache, and at the
// latest after CLIENT_CACHE_SECONDS. 0 turns the cache off.
import type { ClientRecord, ClientStore } from '../storage/ports.ts';

export interface ClientCacheOptions {
  ttlMs: number;
  /** Entries kept at most; the oldest goes first. Only found clients are kept, so unknown ids cannot fill it. */
  maxEntries?: number;
  now?: () => number;
}

const DEFAULT_MAX_ENTRIES = 10_000;

interface Entry {
  record: ClientRecord;
  expiresAt: number;
}

/** The client store with a cache in front; clear() forgets every entry (another instance wrote a client). */
export type CachedClientStore = ClientStore & { clear(): void };

export function cacheClients(clients: ClientStore, options: ClientCacheOptions): CachedClientStore {
  if (options.ttlMs <= 0) return { ...clients, clear() {} };
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entries = new Map<string, Entry>();
  // Bumped by every write, so a read that started before a write never caches what it read.
  let generation = 0;

  // Invalidate before and after: a read that overlaps the write caches nothing.
  async function writing<T>(clientId: string, write: () => Promise<T>): Promise<T> {
    generation += 1;
    entries.delete(clientId);
    try {
      return await write();
    } finally {
      generation += 1;
      entries.delete(clientId);
    }
  }

  // Copies in and out: callers (oidc-provider) must never share one object with the cache.
  const copy = (record: ClientRecord): ClientRecord => structuredClone(record);

  return {
    async find(clientId) {
      const hit = entries.get(clientId);
      if (hit && hit.expiresAt > now()) return copy(hit.record);
      if (hit) entries.delete(clientId);
      const started = generation;
      const record = await clients.find(clientId);
      if (record && started === generation) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(clientId, { record: copy(record), expiresAt: now() + options.ttlMs });
      }
      return record;
    },
    upsert: (client) => writing(client.clientId, () => clients.upsert(client)),
    insert: (client) => writing(client.clientId, () => clients.insert(client)),
    update: (clientId, change) => writing(clientId, () => clients.update(clientId, change)),
    delete: (clientId) => writing(clientId, () => clients.delete(clientId)),
    findAll: () => clients.findAll(),
    list: (page) => clients.list(page),
    clear() {
      // A read in flight may have fetched the old record: it must not be cached.
      generation += 1;
      entries.clear();
    },
  };
}
