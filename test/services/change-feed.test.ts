// The change feed (services/change-feed.ts) over a real PGlite store: the
// first read is the baseline, a moved version runs that topic's watchers
// once, other topics' watchers stay quiet, and a failed read is survived.
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.ts';
import { createChangeFeed } from '../../src/services/change-feed.ts';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/ports.ts';

describe('change feed', function () {
  let store: Store;
  const logger = createLogger('silent');

  beforeEach(async () => {
    store = await openMemoryStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('runs a topic\'s watchers when its version moves, written here or by another instance', async () => {
    const feed = createChangeFeed({ changes: store.changes, intervalMs: 60_000, logger });
    const calls = { clients: 0, roles: 0 };
    feed.watch('clients', () => (calls.clients += 1));
    feed.watch('roles', () => (calls.roles += 1));
    await store.changes.increment('clients'); // before the baseline: already reflected in what is read after it
    await feed.poll();
    assert.deepEqual(calls, { clients: 0, roles: 0 });

    await feed.publish('clients');
    await feed.poll();
    assert.deepEqual(calls, { clients: 1, roles: 0 });
    await feed.poll();
    assert.deepEqual(calls, { clients: 1, roles: 0 }, 'no move, no call');

    await store.changes.increment('roles'); // another instance's write
    await store.changes.increment('roles');
    await feed.poll();
    assert.deepEqual(calls, { clients: 1, roles: 1 }, 'once per poll, however many writes');
    feed.stop();
  });

  it('polls by itself every intervalMs', async () => {
    const feed = createChangeFeed({ changes: store.changes, intervalMs: 100, logger });
    let resolveCalled!: () => void;
    const called = new Promise<void>((resolve) => (resolveCalled = resolve));
    feed.watch('clients', resolveCalled);
    await feed.poll();
    await store.changes.increment('clients');
    await called;
    feed.stop();
  });

  it('keeps polling after a failed read', async () => {
    let failures = 0;
    const flaky = {
      increment: (topic: string) => store.changes.increment(topic),
      async findVersions(topics: readonly string[]) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('database unreachable');
        }
        return store.changes.findVersions(topics);
      },
    };
    const feed = createChangeFeed({ changes: flaky, intervalMs: 50, logger });
    let resolveCalled!: () => void;
    const called = new Promise<void>((resolve) => (resolveCalled = resolve));
    feed.watch('clients', resolveCalled);
    await feed.poll();
    failures = 1;
    await assert.rejects(feed.poll(), /unreachable/);
    // The timer's own polls fail twice, then one reads the move.
    failures = 2;
    await store.changes.increment('clients');
    await called;
    assert.equal(failures, 0);
    feed.stop();
  });
});
