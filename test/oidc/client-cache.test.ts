// The per-process client cache (src/oidc/client-cache.ts), over the real
// PGlite client store: what it saves (store reads, counted) and what it must
// never do (serve a client after this process changed or deleted it, cache a
// read that overlapped a write, grow with unknown ids).
import assert from 'node:assert/strict';
import { cacheClients } from '../../src/oidc/client-cache.ts';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { ClientStore, ClientWrite, Store } from '../../src/storage/ports.ts';

const client = (id: string, name = 'App'): ClientWrite => ({ clientId: id, metadata: { client_id: id, client_name: name } });

/** The real store, counting finds; `gate` (when set) holds each find until it resolves. */
function counting(store: ClientStore) {
  const counter = { finds: 0, gate: undefined as Promise<void> | undefined };
  const wrapped: ClientStore = {
    ...store,
    async find(id) {
      counter.finds += 1;
      const record = await store.find(id);
      if (counter.gate) await counter.gate;
      return record;
    },
  };
  return { counter, wrapped };
}

describe('client cache', function () {
  let store: Store;
  let clock: number;
  const now = () => clock;

  beforeEach(async function () {
    store = await openMemoryStore();
    clock = 1_000_000;
    await store.clients.upsert(client('app'));
  });
  afterEach(async function () {
    await store.close();
  });

  it('reads a client once per TTL and serves copies in between', async function () {
    const { counter, wrapped } = counting(store.clients);
    const cache = cacheClients(wrapped, { ttlMs: 30_000, now });
    const first = await cache.find('app');
    first!.metadata.client_name = 'changed by a caller';
    const second = await cache.find('app');
    assert.equal(counter.finds, 1);
    assert.deepEqual(second?.metadata, client('app').metadata);
    clock += 30_000;
    await cache.find('app');
    assert.equal(counter.finds, 2, 'an expired entry is read again');
  });

  it('sees a write made through it at once', async function () {
    const cache = cacheClients(store.clients, { ttlMs: 30_000, now });
    await cache.find('app');
    await cache.upsert(client('app', 'Renamed'));
    assert.equal((await cache.find('app'))?.metadata.client_name, 'Renamed');
    assert.equal(await cache.delete('app'), true);
    assert.equal(await cache.find('app'), undefined);
  });

  it('sees a write made elsewhere (another worker) once the TTL has passed, not before', async function () {
    const cache = cacheClients(store.clients, { ttlMs: 30_000, now });
    await cache.find('app');
    await store.clients.upsert(client('app', 'Renamed elsewhere'));
    clock += 29_999;
    assert.equal((await cache.find('app'))?.metadata.client_name, 'App');
    clock += 1;
    assert.equal((await cache.find('app'))?.metadata.client_name, 'Renamed elsewhere');
  });

  it('sees a write made elsewhere at once after clear() (the change feed reported it)', async function () {
    const cache = cacheClients(store.clients, { ttlMs: 30_000, now });
    await cache.find('app');
    await store.clients.upsert(client('app', 'Renamed elsewhere'));
    assert.equal((await cache.find('app'))?.metadata.client_name, 'App');
    cache.clear();
    assert.equal((await cache.find('app'))?.metadata.client_name, 'Renamed elsewhere');
  });

  it('does not cache a read that overlapped a clear()', async function () {
    const { counter, wrapped } = counting(store.clients);
    const cache = cacheClients(wrapped, { ttlMs: 30_000, now });
    let open!: () => void;
    counter.gate = new Promise((resolve) => (open = resolve));
    const slowRead = cache.find('app');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.clients.upsert(client('app', 'Renamed elsewhere'));
    cache.clear();
    counter.gate = undefined;
    open();
    assert.equal((await slowRead)?.metadata.client_name, 'App');
    assert.equal((await cache.find('app'))?.metadata.client_name, 'Renamed elsewhere');
  });

  it('does not cache a read that overlapped a write', async function () {
    const { counter, wrapped } = counting(store.clients);
    const cache = cacheClients(wrapped, { ttlMs: 30_000, now });
    let open!: () => void;
    counter.gate = new Promise((resolve) => (open = resolve));
    const slowRead = cache.find('app'); // reads "App", then waits at the gate
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cache.upsert(client('app', 'Renamed'));
    counter.gate = undefined;
    open();
    assert.equal((await slowRead)?.metadata.client_name, 'App');
    assert.equal((await cache.find('app'))?.metadata.client_name, 'Renamed');
  });

  it('never caches unknown ids, and keeps at most maxEntries clients', async function () {
    const { counter, wrapped } = counting(store.clients);
    const cache = cacheClients(wrapped, { ttlMs: 30_000, now, maxEntries: 2 });
    assert.equal(await cache.find('nobody'), undefined);
    assert.equal(await cache.find('nobody'), undefined);
    assert.equal(counter.finds, 2);
    await store.clients.upsert(client('b'));
    await store.clients.upsert(client('c'));
    await cache.find('app');
    await cache.find('b');
    await cache.find('c'); // evicts "app", the oldest
    counter.finds = 0;
    await cache.find('b');
    await cache.find('c');
    assert.equal(counter.finds, 0);
    await cache.find('app');
    assert.equal(counter.finds, 1);
  });

  it('reads the store every time when the TTL is 0 (CLIENT_CACHE_SECONDS=0)', async function () {
    const { counter, wrapped } = counting(store.clients);
    const cache = cacheClients(wrapped, { ttlMs: 0 });
    await cache.find('app');
    await cache.find('app');
    assert.equal(counter.finds, 2);
  });
});
