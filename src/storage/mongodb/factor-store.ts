// Second factors, recovery codes and pending sign-ins on MongoDB; same
// semantics as src/storage/sql/factor-store.ts. Each single-use guarantee is
// one conditional findOneAndUpdate (atomic per document on MongoDB; on
// FerretDB the store runs writes one at a time, serial-writes.ts).
import type { Model } from 'mongoose';
import { FactorExistsError } from '../../errors.ts';
import type { Factor, FactorStore, PendingSignIn } from '../ports.ts';
import { asJson, isDuplicateKey, op, str } from './guards.ts';
import type { FactorDoc, PendingSignInDoc, RecoveryCodesDoc } from './models.ts';

const toFactor = (doc: FactorDoc | null): Factor | undefined =>
  doc === null
    ? undefined
    : {
      id: doc._id,
      accountId: doc.accountId,
      type: doc.type,
      name: doc.name,
      secret: doc.secret ?? null,
      credentialId: doc.credentialId ?? null,
      publicKey: doc.publicKey ?? null,
      counter: doc.counter ?? 0,
      transports: [...(doc.transports ?? [])],
      confirmedAt: doc.confirmedAt ?? null,
      lastUsedAt: doc.lastUsedAt ?? null,
      lastUsedStep: doc.lastUsedStep ?? null,
      createdAt: doc.createdAt,
    };

const toPending = (doc: PendingSignInDoc | null): PendingSignIn | undefined =>
  doc === null ? undefined : { accountId: doc.accountId, context: doc.context, expiresAt: doc.expiresAt };

/** How often consumeRecoveryCode retries a compare-and-set lost to a concurrent write of the same account's codes. */
const CAS_ATTEMPTS = 100;

export function createMongoFactorStore(models: {
  factors: Model<FactorDoc>;
  recoveryCodes: Model<RecoveryCodesDoc>;
  pendingSignIns: Model<PendingSignInDoc>;
}): FactorStore {
  const { factors, recoveryCodes, pendingSignIns } = models;
  const AFTER = { returnDocument: 'after' } as const;
  const live = (hash: string, now: Date) => ({ _id: str(hash, 'hash'), consumedAt: null, expiresAt: op({ $gt: now }) });

  return {
    async insert(factor) {
      const doc: FactorDoc = {
        _id: str(factor.id, 'id'),
        accountId: str(factor.accountId, 'accountId'),
        type: factor.type,
        name: factor.name,
        secret: factor.secret ?? null,
        ...(factor.credentialId != null && { credentialId: str(factor.credentialId, 'credentialId') }),
        publicKey: factor.publicKey ?? null,
        counter: factor.counter ?? 0,
        transports: [...(factor.transports ?? [])],
        confirmedAt: factor.confirmedAt,
        lastUsedAt: null,
        lastUsedStep: null,
        createdAt: factor.createdAt,
      };
      try {
        return toFactor((await factors.create(doc)).toObject())!;
      } catch (err) {
        // Ids are random UUIDs: an E11000 naming no index is the credential id.
        if (isDuplicateKey(err, 'credentialId', true)) throw new FactorExistsError();
        throw err;
      }
    },

    find: async (id) => toFactor(await factors.findOne({ _id: str(id, 'id') }).lean<FactorDoc>()),

    findByCredentialId: async (credentialId) =>
      toFactor(await factors.findOne({ credentialId: str(credentialId, 'credentialId') }).lean<FactorDoc>()),

    async listByAccount(accountId) {
      const docs = await factors.find({ accountId: str(accountId, 'accountId') }).sort({ createdAt: 1, _id: 1 }).lean<FactorDoc[]>();
      return docs.map((doc) => toFactor(doc)!);
    },

    async useTotpStep(id, step, now, options = {}) {
      const doc = await factors
        .findOneAndUpdate(
          {
            _id: str(id, 'id'),
            type: 'totp',
            confirmedAt: options.confirm === true ? null : op({ $ne: null }),
            $or: [{ lastUsedStep: null }, { lastUsedStep: op({ $lt: step }) }],
          },
          { $set: { lastUsedStep: step, lastUsedAt: now, ...(options.confirm === true && { confirmedAt: now }) } },
          AFTER,
        )
        .lean<FactorDoc>();
      return toFactor(doc);
    },

    async useWebauthnCounter(id, counter, now) {
      const doc = await factors
        .findOneAndUpdate(
          {
            _id: str(id, 'id'),
            type: 'webauthn',
            confirmedAt: op({ $ne: null }),
            ...(counter === 0 ? { counter: 0 } : { counter: op({ $lt: counter }) }),
          },
          { $set: { counter, lastUsedAt: now } },
          AFTER,
        )
        .lean<FactorDoc>();
      return toFactor(doc);
    },

    async rename(id, accountId, name) {
      const doc = await factors
        .findOneAndUpdate({ _id: str(id, 'id'), accountId: str(accountId, 'accountId') }, { $set: { name } }, AFTER)
        .lean<FactorDoc>();
      return toFactor(doc);
    },

    async delete(id, accountId) {
      const { deletedCount } = await factors.deleteOne({ _id: str(id, 'id'), accountId: str(accountId, 'accountId') });
      return deletedCount > 0;
    },

    async deletePendingBefore(cutoff) {
      const { deletedCount } = await factors.deleteMany({ type: 'totp', confirmedAt: null, createdAt: op({ $lt: cutoff }) });
      return deletedCount;
    },

    async deleteAllForAccount(accountId) {
      const id = str(accountId, 'accountId');
      await recoveryCodes.deleteOne({ _id: id });
      await pendingSignIns.deleteMany({ accountId: id });
      const { deletedCount } = await factors.deleteMany({ accountId: id });
      return deletedCount;
    },

    async replaceRecoveryCodes(accountId, hashes, now) {
      const id = str(accountId, 'accountId');
      const codes = hashes.map((hash) => ({ hash: str(hash, 'hash'), usedAt: null }));
      // One document: the new set replaces the old one in a single write.
      // The revision goes on increasing, so a consume that read the old set
      // cannot write it back (its compare-and-set fails).
      const write = () =>
        recoveryCodes.updateOne({ _id: id }, { $set: { codes, updatedAt: now }, $inc: { revision: 1 } }, { upsert: true }).exec();
      await write().catch((err: unknown) => {
        // Two first-ever upserts of one account: the loser updates the winner's document.
        if (isDuplicateKey(err, '_id', true)) return write();
        throw err;
      });
    },

    async consumeRecoveryCode(accountId, hash, now) {
      const id = str(accountId, 'accountId');
      const wanted = str(hash, 'hash');
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const doc = await recoveryCodes.findOne({ _id: id }).lean<RecoveryCodesDoc>();
        const index = doc?.codes.findIndex((c) => c.hash === wanted && c.usedAt === null) ?? -1;
        if (doc === null || index < 0) return false;
        const codes = doc.codes.map((c, i) => ({ hash: c.hash, usedAt: i === index ? now : c.usedAt }));
        const { modifiedCount } = await recoveryCodes.updateOne(
          { _id: id, revision: doc.revision },
          { $set: { codes, updatedAt: now }, $inc: { revision: 1 } },
        );
        if (modifiedCount === 1) return true;
      }
      // A hundred lost races in a row on one account's codes: report the code as not accepted; the user tries again.
      return false;
    },

    async countRecoveryCodes(accountId) {
      const doc = await recoveryCodes.findOne({ _id: str(accountId, 'accountId') }).lean<RecoveryCodesDoc>();
      return doc?.codes.filter((c) => c.usedAt === null).length ?? 0;
    },

    async insertPendingSignIn(pending) {
      await pendingSignIns.create({
        _id: str(pending.hash, 'hash'),
        accountId: str(pending.accountId, 'accountId'),
        context: asJson(pending.context),
        expiresAt: pending.expiresAt,
        consumedAt: null,
      });
    },

    findPendingSignIn: async (hash, now) => toPending(await pendingSignIns.findOne(live(hash, now)).lean<PendingSignInDoc>()),

    async setPendingSignInContext(hash, context, now) {
      const { modifiedCount, matchedCount } = await pendingSignIns.updateOne(live(hash, now), { $set: { context: asJson(context) } });
      return matchedCount > 0 || modifiedCount > 0;
    },

    async consumePendingSignIn(hash, now) {
      // No projection: FerretDB 1.x refuses findAndModify's `fields`.
      const doc = await pendingSignIns.findOneAndUpdate(live(hash, now), { $set: { consumedAt: now } }).lean<PendingSignInDoc>();
      return toPending(doc);
    },

    async deleteExpiredPendingSignIns(now) {
      const { deletedCount } = await pendingSignIns.deleteMany({
        $or: [{ expiresAt: op({ $lte: now }) }, { consumedAt: op({ $ne: null }) }],
      });
      return deletedCount;
    },
  };
}
