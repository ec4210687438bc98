// Reset and verification tokens, stored as hashes and used up with one
// conditional findOneAndUpdate (kratos' useOneTimeCode): concurrent uses
// cannot both win. Same semantics as src/storage/sql/one-time-token-store.ts.
import type { Model } from 'mongoose';
import type { OneTimeTokenPurpose, OneTimeTokenStore } from '../ports.ts';
import { isDuplicateKey, op, str } from './guards.ts';
import { oneTimeTokenSlot, type OneTimeTokenDoc } from './models.ts';

export function createMongoOneTimeTokenStore(tokens: Model<OneTimeTokenDoc>): OneTimeTokenStore {
  const usable = (hash: string, purpose: OneTimeTokenPurpose, now: Date) => ({
    hash: str(hash, 'hash'),
    purpose: str(purpose, 'purpose'),
    consumedAt: null,
    expiresAt: op({ $gt: now }),
  });

  return {
    async insertReplacing(token) {
      const accountId = str(token.accountId, 'accountId');
      const purpose = str(token.purpose, 'purpose');
      // One document per account and purpose, keyed by that pair: replacing
      // it is "delete the older token, store the new one" in a single atomic
      // write. Of two requests racing here the later write wins and exactly
      // one token stays live, as when the SQL backend serialises them.
      const slot = oneTimeTokenSlot(purpose, accountId);
      const replacement = {
        _id: slot,
        hash: str(token.hash, 'hash'),
        accountId,
        purpose,
        expiresAt: token.expiresAt,
        consumedAt: null,
        createdAt: new Date(),
      };
      const write = () => tokens.replaceOne({ _id: slot }, replacement, { upsert: true, runValidators: true }).exec();
      await write().catch((err: unknown) => {
        // Two first-ever upserts of one slot: MongoDB 4.2+ retries the loser
        // as a replace itself; older servers and FerretDB report E11000 on _id.
        // The other unique index is on a 256-bit random hash: an E11000 that names no index is the slot.
        if (isDuplicateKey(err, '_id', true)) return write();
        throw err;
      });
    },

    async findLive(hash, purpose, now) {
      const doc = await tokens.findOne(usable(hash, purpose, now), { accountId: 1 }).lean<Pick<OneTimeTokenDoc, 'accountId'>>();
      return doc?.accountId;
    },

    async consume(hash, purpose, now) {
      // Atomic per document: of concurrent callers exactly one still matches
      // `consumedAt: null` and gets the document back.
      const doc = await tokens
        // No projection: FerretDB 1.x refuses findAndModify's `fields`, and the document is small.
        .findOneAndUpdate(usable(hash, purpose, now), { $set: { consumedAt: now } })
        .lean<Pick<OneTimeTokenDoc, 'accountId'>>();
      return doc?.accountId;
    },

    async deleteForAccount(accountId, purpose) {
      const { deletedCount } = await tokens.deleteMany({
        _id: oneTimeTokenSlot(str(purpose, 'purpose'), str(accountId, 'accountId')),
        consumedAt: null,
      });
      return deletedCount;
    },

    async deleteExpired(now) {
      const { deletedCount } = await tokens.deleteMany({ expiresAt: op({ $lte: now }) });
      return deletedCount;
    },
  };
}
