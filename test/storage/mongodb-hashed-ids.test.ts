// The MongoDB counterpart of SQL migration 003 (src/storage/mongodb/
// migrate-hashed-ids.ts), run at open: documents written by the old adapter,
// with the bearer value as _id and jti, move to the value's hash; old
// interactions are dropped; grant ids stay. Needs a server (TEST_MONGODB_URI).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { createAdapterFactory } from '../../src/oidc/adapter.ts';
import { hashId } from '../../src/oidc/stored-ids.ts';
import { openMongoStore } from '../../src/storage/mongodb/mongo-store.ts';
import { TEST_MONGODB_URI } from '../support/test-store.ts';

describe('MongoDB: bearer ids of old documents move to their hashes at open', function () {
  if (TEST_MONGODB_URI === undefined) {
    it('runs against MongoDB (set TEST_MONGODB_URI, e.g. mongodb://127.0.0.1:27017, to enable)');
    return;
  }
  const uri = TEST_MONGODB_URI;

  it('rewrites refresh tokens and sessions, drops interactions, keeps grants; the adapter finds them by clear value', async () => {
    const dbName = `gh_test_${randomBytes(6).toString('hex')}`;
    const [accountId, sessionUid, grantId] = [randomUUID(), randomUUID(), randomUUID()];
    const clear = { refresh: `rt-${randomUUID()}`, session: `sess-${randomUUID()}`, interaction: `ia-${randomUUID()}` };
    const raw = await mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
    try {
      const exp = new Date(Date.now() + 3_600_000);
      await raw.collection<{ _id: string }>('oidc_refreshtoken').insertOne({
        _id: clear.refresh, payload: { jti: clear.refresh, grantId, sessionUid, accountId }, expiresAt: exp, consumedAt: null,
      } as never);
      await raw.collection<{ _id: string }>('oidc_session').insertOne({
        _id: clear.session, payload: { jti: clear.session, uid: sessionUid, accountId }, expiresAt: exp, consumedAt: null,
      } as never);
      await raw.collection<{ _id: string }>('oidc_interaction').insertOne({
        _id: clear.interaction, payload: { jti: clear.interaction, session: { cookie: clear.session } }, expiresAt: exp, consumedAt: null,
      } as never);
      await raw.collection<{ _id: string }>('oidc_grant').insertOne({
        _id: grantId, payload: { jti: grantId, accountId }, expiresAt: exp, consumedAt: null,
      } as never);

      const store = await openMongoStore(uri, { dbName });
      try {
        const docs = await Promise.all(['oidc_refreshtoken', 'oidc_session', 'oidc_interaction', 'oidc_grant'].map((c) => raw.collection(c).find().toArray()));
        const text = JSON.stringify(docs);
        for (const value of Object.values(clear)) assert.ok(!text.includes(value), `${value} is still stored in clear`);
        assert.deepEqual(docs.map((d) => d.length), [1, 1, 0, 1]);
        assert.equal(docs[0]![0]!._id, hashId(clear.refresh));
        assert.equal(docs[3]![0]!._id, grantId);

        const hooks = { onSessionSaved: async () => {}, onGrantDestroyed: async () => {}, onReplay: async () => {}, onRefreshTokenSaved: async () => {}, onSessionDestroyed: async () => {} };
        const adapter = createAdapterFactory({ oidc: store.oidc, clients: store.clients }, hooks);
        assert.equal((await adapter('RefreshToken').find(clear.refresh))?.grantId, grantId);
        assert.equal((await adapter('Session').find(clear.session))?.uid, sessionUid);
        // A second open finds nothing left to move.
        await (await openMongoStore(uri, { dbName })).close();
        assert.equal((await raw.collection('oidc_refreshtoken').find().toArray()).length, 1);
      } finally {
        await store.close();
      }
    } finally {
      await raw.dropDatabase();
      await raw.close();
    }
  });
});
