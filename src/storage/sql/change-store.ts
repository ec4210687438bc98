import type { ChangeStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

export function createSqlChangeStore(db: SqlDriver): ChangeStore {
  return {
    async increment(topic) {
      // One statement: the row lock serialises concurrent increments, none is lost.
      const { rows } = await db.query<{ version: string }>(
        `insert into change_versions (topic, version) values ($1, 1)
         on conflict (topic) do update set version = change_versions.version + 1
         returning version`,
        [topic],
      );
      return Number(rows[0]!.version);
    },

    async findVersions(topics) {
      const versions: Record<string, number> = Object.fromEntries(topics.map((topic) => [topic, 0]));
      if (topics.length === 0) return versions;
      const { rows } = await db.query<{ topic: string; version: string }>(
        'select topic, version from change_versions where topic = any($1::text[])',
        [[...topics]],
      );
      for (const row of rows) versions[row.topic] = Number(row.version);
      return versions;
    },
  };
}
