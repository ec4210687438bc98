// Cross-instance invalidation. Each process caches some data (clients today,
// see oidc/client-cache.ts); when one instance writes such data it bumps its
// topic's version in the database, and every instance polls the versions
// every CHANGE_POLL_MS, calling the topic's watchers when one moved.
//
// A poll, not PostgreSQL LISTEN/NOTIFY: it works the same on every backend
// (PGlite, PostgreSQL, MongoDB, FerretDB, which has no change streams), costs
// one indexed read per process per interval, and cannot miss a change while a
// connection is being re-established: the version is state, not a message.
import type { Logger } from '../logger.ts';
import type { ChangeStore } from '../storage/ports.ts';

export interface ChangeFeed {
  /** Run onChange whenever the topic's version moves (a write here or on another instance). */
  watch(topic: string, onChange: () => void): void;
  /** Record that this topic's data was written, so every instance's watchers run within one poll. */
  publish(topic: string): Promise<void>;
  /** Read the versions now and run the watchers of those that moved. */
  poll(): Promise<void>;
  stop(): void;
}

export function createChangeFeed(deps: { changes: ChangeStore; intervalMs: number; logger: Logger }): ChangeFeed {
  const watchers = new Map<string, Array<() => void>>();
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let polling: Promise<void> | undefined;

  async function readAndNotify(): Promise<void> {
    const topics = [...watchers.keys()];
    if (topics.length === 0) return;
    const versions = await deps.changes.findVersions(topics);
    for (const topic of topics) {
      const version = versions[topic] ?? 0;
      const before = seen.get(topic);
      seen.set(topic, version);
      // The first read is the baseline: what was cached before it was read after it.
      if (before !== undefined && before !== version) for (const onChange of watchers.get(topic) ?? []) onChange();
    }
  }

  function poll(): Promise<void> {
    // One read at a time: a slow database must not pile polls up.
    polling ??= readAndNotify().finally(() => (polling = undefined));
    return polling;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .catch((err: unknown) => deps.logger.warn({ err }, 'change feed: reading the versions failed; caches expire by their TTL meanwhile'))
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }

  return {
    watch(topic, onChange) {
      const list = watchers.get(topic) ?? [];
      list.push(onChange);
      watchers.set(topic, list);
      if (timer === undefined && !stopped) schedule();
    },
    async publish(topic) {
      await deps.changes.increment(topic);
    },
    poll,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
