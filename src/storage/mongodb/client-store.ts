import type { Model } from 'mongoose';
import type { ClientRecord, ClientStore } from '../ports.ts';
import { asJson, str } from './guards.ts';
import type { ClientDoc } from './models.ts';

function toClient(doc: Pick<ClientDoc, '_id' | 'metadata'>): ClientRecord {
  return { clientId: doc._id, metadata: doc.metadata ?? {} };
}

const PROJECTION = { _id: 1, metadata: 1 } as const;

export function createMongoClientStore(clients: Model<ClientDoc>): ClientStore {
  return {
    async upsert(client) {
      const now = new Date();
      await clients.updateOne(
        { _id: str(client.clientId, 'clientId') },
        { $set: { metadata: asJson(client.metadata), updatedAt: now }, $setOnInsert: { createdAt: now } },
        { upsert: true },
      );
    },

    async find(clientId) {
      const doc = await clients.findOne({ _id: str(clientId, 'clientId') }, PROJECTION).lean<ClientDoc>();
      return doc === null ? undefined : toClient(doc);
    },

    async findAll() {
      // Without a collation MongoDB compares strings by their UTF-8 bytes: the
      // same order as the SQL backend's collate "C", whatever the server's locale.
      const docs = await clients.find({}, PROJECTION).sort({ _id: 1 }).lean<ClientDoc[]>();
      return docs.map(toClient);
    },

    async delete(clientId) {
      const { deletedCount } = await clients.deleteOne({ _id: str(clientId, 'clientId') });
      return deletedCount > 0;
    },
  };
}
