// oidc-provider's adapter storage on MongoDB: one collection per model (see
// oidc-models.ts). Same semantics as src/storage/sql/oidc-store.ts.
import type { Model } from 'mongoose';
import { accountGrantOf, sortGrants, type OidcPayload, type OidcRecord, type OidcStore } from '../ports.ts';
import { holdingsOf } from '../session-holdings.ts';
import { op, str } from './guards.ts';
import { lookupFields, type OidcDoc, type OidcModels } from './oidc-models.ts';

type Lean = Pick<OidcDoc, 'data' | 'expiresAt' | 'consumedAt'>;

function toRecord(doc: Lean | null): OidcRecord | undefined {
  if (doc === null) return undefined;
  return { payload: JSON.parse(doc.data) as OidcPayload, consumedAt: doc.consumedAt ?? null, expiresAt: doc.expiresAt ?? null };
}

/**
 * Live at `now`: no expiry, or one still ahead. Records past expiry are
 * invisible even before the TTL monitor (every 60 s) deletes them.
 */
const live = (now: Date) => ({ $or: [{ expiresAt: null }, { expiresAt: op({ $gt: now }) }] });

const PROJECTION = { _id: 0, data: 1, expiresAt: 1, consumedAt: 1 } as const;

export function createMongoOidcStore(models: OidcModels): OidcStore {
  const all = [...models.values()];

  function modelOf(name: string): Model<OidcDoc> {
    const model = models.get(name);
    // A name outside oidc-provider's list is a programming error; its
    // collection would have no indexes (those are only built at open).
    if (model === undefined) throw new Error(`Unknown oidc-provider model ${JSON.stringify(name)}`);
    return model;
  }

  async function findWhere(name: string, filter: Record<string, string>): Promise<OidcRecord | undefined> {
    const doc = await modelOf(name).findOne({ ...filter, ...live(new Date()) }, PROJECTION).lean<Lean>();
    return toRecord(doc);
  }

  async function deleteEach(filterFor: (model: Model<OidcDoc>) => object | undefined, among = all): Promise<number> {
    const counts = await Promise.all(
      among.map(async (model) => {
        const filter = filterFor(model);
        return filter === undefined ? 0 : (await model.deleteMany(filter)).deletedCount;
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  return {
    async upsert(name, id, payload, expiresAt) {
      // consumedAt is only set on insert, so re-saving a consumed code or
      // refresh token keeps it consumed (single use, RFC 6749 §4.1.2 and §10.4).
      // The lookup fields follow the latest save: a field the payload no
      // longer has as a string is removed.
      const { set, unset } = lookupFields(payload);
      await modelOf(name).updateOne(
        { _id: str(id, 'id') },
        {
          $set: { data: JSON.stringify(payload), expiresAt, ...set },
          $setOnInsert: { consumedAt: null },
          ...(unset.length > 0 && { $unset: Object.fromEntries(unset.map((field) => [field, 1])) }),
        },
        { upsert: true },
      );
    },

    find: async (name, id) => findWhere(name, { _id: str(id, 'id') }),
    findByUid: async (name, uid) => findWhere(name, { uid: str(uid, 'uid') }),
    findByUserCode: async (name, userCode) => findWhere(name, { userCode: str(userCode, 'userCode') }),

    async consume(name, id) {
      // One conditional update: MongoDB applies it to the document
      // atomically, so of concurrent callers exactly one matches
      // `consumedAt: null` and modifies it (FerretDB: see serial-writes.ts).
      const now = new Date();
      const { modifiedCount } = await modelOf(name).updateOne(
        { _id: str(id, 'id'), consumedAt: null, ...live(now) },
        { $set: { consumedAt: now } },
      );
      return modifiedCount === 1;
    },

    async destroy(name, id) {
      await modelOf(name).deleteOne({ _id: str(id, 'id') });
    },

    async revokeByGrantId(grantId, name) {
      const filter = { grantId: str(grantId, 'grantId') };
      return deleteEach(() => filter, name === undefined ? all : [modelOf(name)]);
    },

    async revokeBySessionUid(sessionUid) {
      const sid = str(sessionUid, 'sessionUid');
      const found = await Promise.all(all.map((model) => model.distinct('grantId', { sessionUid: sid })));
      const grantIds = [...new Set(found.flat().filter((g): g is string => typeof g === 'string'))];
      const grantModel = modelOf('Grant');
      const sessionModel = modelOf('Session');
      const filterFor = (model: Model<OidcDoc>) => {
        const any: object[] = grantIds.length > 0 ? [{ grantId: op({ $in: grantIds }) }] : [];
        // Grant payloads carry no grantId of their own: their id is the grant id.
        if (model === grantModel && grantIds.length > 0) any.push({ _id: op({ $in: grantIds }) });
        if (model === sessionModel) any.push({ uid: sid });
        return any.length > 0 ? { $or: any } : undefined;
      };
      // Grant and Session first: once they are gone oidc-provider refuses
      // every token of the grant, even if a later step fails.
      const first = await deleteEach(filterFor, [grantModel, sessionModel]);
      return first + (await deleteEach(filterFor, all.filter((m) => m !== grantModel && m !== sessionModel)));
    },

    async listSessionHoldings(sessionUids) {
      if (sessionUids.length === 0) return [];
      const uids = sessionUids.map((uid) => str(uid, 'sessionUid'));
      const now = new Date();
      const sessionModel = modelOf('Session');
      const found = await Promise.all(all.map(async (model) => {
        if (model === sessionModel) {
          const docs = await model.find({ uid: op({ $in: uids }), ...live(now) }, { _id: 0, uid: 1 }).lean<Pick<OidcDoc, 'uid'>[]>();
          return docs.map(({ uid }) => ({ uid, clientId: null, session: true }));
        }
        const docs = await model.find({ sessionUid: op({ $in: uids }), ...live(now) }, { _id: 0, sessionUid: 1, clientId: 1 })
          .lean<Pick<OidcDoc, 'sessionUid' | 'clientId'>[]>();
        return docs.map(({ sessionUid, clientId }) => ({ uid: sessionUid, clientId: clientId ?? null, session: false }));
      }));
      return holdingsOf(sessionUids, found.flat());
    },

    async revokeByClientId(clientId) {
      const filter = { clientId: str(clientId, 'clientId') };
      // Grants first: once it is gone oidc-provider refuses every token of the grant.
      const grantModel = modelOf('Grant');
      const first = await deleteEach(() => filter, [grantModel]);
      return first + (await deleteEach(() => filter, all.filter((m) => m !== grantModel)));
    },

    async listGrantsOfAccount(accountId) {
      const docs = await modelOf('Grant').find({ accountId: str(accountId, 'accountId'), ...live(new Date()) }, { _id: 1, data: 1 })
        .lean<Array<{ _id: string; data: string }>>();
      return sortGrants(docs.flatMap((doc) => accountGrantOf(doc._id, JSON.parse(doc.data) as OidcPayload) ?? []));
    },

    async revokeAccountClient(accountId, clientId) {
      const filter = { accountId: str(accountId, 'accountId'), clientId: str(clientId, 'clientId') };
      // Grants first: once they are gone oidc-provider refuses every token of them.
      const grantModel = modelOf('Grant');
      const first = await deleteEach(() => filter, [grantModel]);
      return first + (await deleteEach(() => filter, all.filter((m) => m !== grantModel)));
    },

    async revokeByAccountId(accountId) {
      const filter = { accountId: str(accountId, 'accountId') };
      return deleteEach(() => filter);
    },

    async deleteExpired(now) {
      return deleteEach(() => ({ expiresAt: op({ $lte: now }) }));
    },
  };
}
