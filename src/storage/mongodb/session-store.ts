// One document per sign-in. Every method takes `now` from the caller, so the
// clock is the application's (and a test's), never the database server's.
// Same semantics as src/storage/sql/session-store.ts.
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { SessionRecord, SessionStore } from '../ports.ts';
import { isDuplicateKey, op, str } from './guards.ts';
import { toAccount } from './account-store.ts';
import type { AccountDoc, SessionDoc } from './models.ts';

function toSession(doc: SessionDoc): SessionRecord {
  return {
    id: doc._id,
    accountId: doc.accountId,
    kind: doc.kind,
    clientId: doc.clientId ?? null,
    deviceName: doc.deviceName ?? null,
    deviceType: doc.deviceType ?? null,
    userAgent: doc.userAgent ?? null,
    ipAddress: doc.ipAddress ?? null,
    createdAt: doc.createdAt,
    lastActiveAt: doc.lastActiveAt,
    expiresAt: doc.expiresAt,
    revokedAt: doc.revokedAt ?? null,
    amr: [...(doc.amr ?? [])],
  };
}

const PROJECTION = { revokedBy: 0 } as const;

/** Not revoked and not yet expired at `now`. */
const live = (now: Date) => ({ revokedAt: null, expiresAt: op({ $gt: now }) });

export function createMongoSessionStore(models: { sessions: Model<SessionDoc>; accounts: Model<AccountDoc> }): SessionStore {
  const { sessions, accounts } = models;
  const findLive = async (id: string, now: Date) => {
    const doc = await sessions.findOne({ _id: str(id, 'id'), ...live(now) }, PROJECTION).lean<SessionDoc>();
    return doc === null ? undefined : toSession(doc);
  };
  return {
    async upsert(session, now) {
      const id = str(session.id, 'id');
      const accountId = str(session.accountId, 'accountId');
      const amr = session.amr ?? [];
      try {
        // Matches only a session that is not revoked and belongs to this
        // account; otherwise the upsert tries to insert a second document
        // with the same _id, which the primary key refuses. That refusal is
        // what keeps a revoked session dead (a browser request racing its
        // logout cannot bring it back) and a session id on its account.
        await sessions.updateOne(
          { _id: id, accountId, revokedAt: null },
          {
            // A non-empty amr replaces the stored one; an empty one is set on insert only.
            $set: { lastActiveAt: now, ...(amr.length > 0 && { amr: [...amr] }) },
            $max: { expiresAt: session.expiresAt },
            $setOnInsert: {
              kind: session.kind,
              clientId: session.clientId,
              deviceName: session.deviceName,
              deviceType: session.deviceType,
              userAgent: session.userAgent,
              ipAddress: session.ipAddress,
              ...(amr.length === 0 && { amr: [] }),
              createdAt: now,
            },
          },
          { upsert: true, runValidators: true },
        );
      } catch (err) {
        // _id is the collection's only unique index.
        if (!isDuplicateKey(err, '_id', true)) throw err;
      }
    },

    async extend(id, expiresAt) {
      await sessions.updateOne({ _id: str(id, 'id'), revokedAt: null }, { $max: { expiresAt } });
    },

    findLive,

    // Two queries: a $lookup would save a round trip but not the server's work.
    async findLiveWithAccount(id, now) {
      const session = await findLive(id, now);
      if (!session) return undefined;
      const account = toAccount(await accounts.findOne({ _id: session.accountId }).lean<AccountDoc>());
      return account ? { session, account } : undefined;
    },

    async countLive(now) {
      return sessions.countDocuments(live(now));
    },

    async findLiveByAccount(accountId, now) {
      // _id breaks ties (code-unit order, like the SQL backend's collate "C")
      // so the order is stable when two sign-ins share a millisecond.
      const docs = await sessions
        .find({ accountId: str(accountId, 'accountId'), ...live(now) }, PROJECTION)
        .sort({ createdAt: -1, _id: 1 })
        .lean<SessionDoc[]>();
      return docs.map(toSession);
    },

    async touch(id, now) {
      await sessions.updateOne({ _id: str(id, 'id'), ...live(now) }, { $set: { lastActiveAt: now } });
    },

    async revoke(id, accountId, now) {
      const { modifiedCount } = await sessions.updateOne(
        { _id: str(id, 'id'), accountId: str(accountId, 'accountId'), ...live(now) },
        { $set: { revokedAt: now } },
      );
      return modifiedCount === 1;
    },

    async revokeAllForAccount(accountId, now, exceptId) {
      // updateMany cannot return the documents it changed, so each call tags
      // its own: sessions revoked by a concurrent call carry another tag and
      // are not reported twice.
      const tag = randomUUID();
      const filter = {
        accountId: str(accountId, 'accountId'),
        ...live(now),
        ...(exceptId !== undefined && { _id: op({ $ne: str(exceptId, 'exceptId') }) }),
      };
      const { modifiedCount } = await sessions.updateMany(filter, { $set: { revokedAt: now, revokedBy: tag } });
      if (modifiedCount === 0) return [];
      const revoked = await sessions.find({ revokedBy: tag }, { _id: 1 }).lean<Array<Pick<SessionDoc, '_id'>>>();
      return revoked.map((doc) => doc._id);
    },

    async deleteExpired(before) {
      const { deletedCount } = await sessions.deleteMany({
        $or: [{ expiresAt: op({ $lte: before }) }, { revokedAt: op({ $lte: before }) }],
      });
      return deletedCount;
    },
  };
}
