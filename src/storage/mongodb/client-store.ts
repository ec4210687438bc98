import type { Model } from 'mongoose';
import type { ClientRecord, ClientStore, ClientWrite } from '../ports.ts';
import { asJson, isDuplicateKey, op, str } from './guards.ts';
import type { ClientDoc } from './models.ts';

function toClient(doc: ClientDoc): ClientRecord {
  return {
    clientId: doc._id,
    metadata: doc.metadata ?? {},
    // Stored before sources existed: only the file and the server itself wrote clients then.
    source: doc.source ?? (doc._id === 'gatehouse' ? 'builtin' : 'file'),
    previousSecret:
      typeof doc.previousSecret === 'string' && doc.previousSecretExpiresAt instanceof Date
        ? { secret: doc.previousSecret, expiresAt: doc.previousSecretExpiresAt }
        : null,
    revision: doc.revision ?? 0,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function fields(client: ClientWrite) {
  return {
    metadata: asJson(client.metadata),
    source: client.source ?? 'api',
    previousSecret: client.previousSecret?.secret ?? null,
    previousSecretExpiresAt: client.previousSecret?.expiresAt ?? null,
  };
}

export function createMongoClientStore(clients: Model<ClientDoc>): ClientStore {
  return {
    async upsert(client) {
      const now = new Date();
      await clients.updateOne(
        { _id: str(client.clientId, 'clientId') },
        { $set: { ...fields(client), updatedAt: now }, $setOnInsert: { createdAt: now }, $inc: { revision: 1 } },
        { upsert: true },
      );
    },

    async insert(client) {
      const now = new Date();
      try {
        await clients.create({ _id: str(client.clientId, 'clientId'), ...fields(client), revision: 0, createdAt: now, updatedAt: now });
        return true;
      } catch (err) {
        // The primary key is the only unique index of the collection.
        if (isDuplicateKey(err, '_id', true)) return false;
        throw err;
      }
    },

    async update(clientId, change) {
      const set: Record<string, unknown> = { metadata: asJson(change.metadata), updatedAt: new Date() };
      if (change.previousSecret !== undefined) {
        set.previousSecret = change.previousSecret?.secret ?? null;
        set.previousSecretExpiresAt = change.previousSecret?.expiresAt ?? null;
      }
      const filter: Record<string, unknown> = { _id: str(clientId, 'clientId') };
      if (change.ifRevision !== undefined) {
        // Clients stored before revisions existed have none: that is revision 0.
        filter.$or = change.ifRevision === 0 ? [{ revision: 0 }, { revision: op({ $exists: false }) }] : [{ revision: change.ifRevision }];
      }
      const { matchedCount } = await clients.updateOne(filter, { $set: set, $inc: { revision: 1 } });
      return matchedCount === 1;
    },

    async find(clientId) {
      const doc = await clients.findOne({ _id: str(clientId, 'clientId') }).lean<ClientDoc>();
      return doc === null ? undefined : toClient(doc);
    },

    async findAll() {
      // Without a collation MongoDB compares strings by their UTF-8 bytes: the
      // same order as the SQL backend's collate "C", whatever the server's locale.
      const docs = await clients.find({}).sort({ _id: 1 }).lean<ClientDoc[]>();
      return docs.map(toClient);
    },

    async list({ after, limit }) {
      const filter = after === undefined ? {} : { _id: op({ $gt: str(after, 'after') }) };
      const docs = await clients.find(filter).sort({ _id: 1 }).limit(limit).lean<ClientDoc[]>();
      return docs.map(toClient);
    },

    async delete(clientId) {
      const { deletedCount } = await clients.deleteOne({ _id: str(clientId, 'clientId') });
      return deletedCount > 0;
    },
  };
}
