import type { Model } from 'mongoose';
import type { ChangeStore } from '../ports.ts';
import { op, str } from './guards.ts';
import type { ChangeDoc } from './models.ts';

export function createMongoChangeStore(changes: Model<ChangeDoc>): ChangeStore {
  return {
    async increment(topic) {
      // $inc is applied to the document atomically on MongoDB (FerretDB: see serial-writes.ts).
      const doc = await changes
        .findOneAndUpdate({ _id: str(topic, 'topic') }, { $inc: { version: 1 } }, { upsert: true, returnDocument: 'after' })
        .lean<ChangeDoc>();
      return doc!.version;
    },

    async findVersions(topics) {
      const versions: Record<string, number> = Object.fromEntries(topics.map((topic) => [topic, 0]));
      if (topics.length === 0) return versions;
      const ids = topics.map((topic) => str(topic, 'topic'));
      const docs = await changes.find({ _id: op({ $in: ids }) }, { version: 1 }).lean<ChangeDoc[]>();
      for (const doc of docs) versions[doc._id] = doc.version;
      return versions;
    },
  };
}
