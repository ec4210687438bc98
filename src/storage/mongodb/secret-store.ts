import { Types, type Model } from 'mongoose';
import type { SecretRecord, SecretStore } from '../ports.ts';
import { asJson, isDuplicateKey, str } from './guards.ts';
import type { SecretDoc } from './models.ts';

function toSecret(doc: SecretDoc): SecretRecord {
  return { id: doc._id, kind: doc.kind, material: doc.material ?? {}, createdAt: doc.createdAt };
}

export function createMongoSecretStore(secrets: Model<SecretDoc>): SecretStore {
  return {
    async insert(secret) {
      // $setOnInsert only: the process that lost a first-start race keeps the
      // winner's secret instead of failing (see SecretStore.insert). The
      // server retries an upsert that lost an _id race as an update; older
      // servers report the race as E11000 instead.
      const result = await secrets.updateOne(
        { _id: str(secret.id, 'id') },
        {
          $setOnInsert: {
            kind: str(secret.kind, 'kind'),
            material: asJson(secret.material),
            createdAt: new Date(),
            seq: new Types.ObjectId().toHexString(),
          },
        },
        { upsert: true, runValidators: true },
      ).catch((err: unknown) => {
        // _id is the collection's only unique index.
        if (isDuplicateKey(err, '_id', true)) return { upsertedCount: 0 };
        throw err;
      });
      return result.upsertedCount === 1;
    },

    async findByKind(kind) {
      const docs = await secrets
        .find({ kind: str(kind, 'kind') })
        .sort({ createdAt: -1, seq: -1 })
        .lean<SecretDoc[]>();
      return docs.map(toSecret);
    },

    async update(id, material) {
      const { matchedCount } = await secrets.updateOne({ _id: str(id, 'id') }, { $set: { material: asJson(material) } }, { runValidators: true });
      return matchedCount > 0;
    },

    async delete(id) {
      const { deletedCount } = await secrets.deleteOne({ _id: str(id, 'id') });
      return deletedCount > 0;
    },
  };
}
