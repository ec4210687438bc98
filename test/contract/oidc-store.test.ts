import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from './backends.ts';

const HOUR = 3600_000;
const inAnHour = () => new Date(Date.now() + HOUR);
const anHourAgo = () => new Date(Date.now() - HOUR);

forEachBackend('OidcStore', (getStore) => {
  const oidc = () => getStore().oidc;

  describe('upsert and find', () => {
    it('stores a payload and returns it with its expiry, not consumed', async () => {
      const id = randomUUID();
      const expiresAt = inAnHour();
      const payload = { kind: 'AccessToken', accountId: 'a1', scope: 'openid', nested: { list: [1, 'two', null], ok: true }, text: 'héllo ✓' };
      await oidc().upsert('AccessToken', id, payload, expiresAt);
      const found = await oidc().find('AccessToken', id);
      assert.ok(found);
      assert.deepEqual(found.payload, payload);
      assert.ok(found.expiresAt instanceof Date);
      assert.equal(found.expiresAt.getTime(), expiresAt.getTime());
      assert.equal(found.consumedAt, null);
    });

    it('round-trips keys containing "." and "$" (resource indicators, client ids as keys), with lookups intact', async () => {
      const [id, uid, grantId] = [randomUUID(), randomUUID(), randomUUID()];
      const payload = {
        uid, grantId, accountId: 'a.b', kind: 'Session',
        authorizations: { 'app.example.com': { sid: 's1', grantId, persistsLogout: true } },
        resources: { 'http://127.0.0.1:3000/api': 'openid api', 'urn:x.y': { 'a.b.c': [{ 'd.e': 1 }] } },
        $weird: { '$set': 'not an operator', '': 'empty key' },
      };
      await oidc().upsert('Session', id, payload, inAnHour());
      assert.deepEqual((await oidc().find('Session', id))?.payload, payload);
      assert.deepEqual((await oidc().findByUid('Session', uid))?.payload, payload);
      assert.equal(await oidc().revokeByGrantId(grantId), 1);
    });

    it('replaces the payload, expiry and lookup fields of an existing (model, id)', async () => {
      const id = randomUUID();
      const [uid1, uid2] = [randomUUID(), randomUUID()];
      await oidc().upsert('Interaction', id, { v: 1, uid: uid1 }, inAnHour());
      await oidc().upsert('Interaction', id, { v: 2, uid: uid2 }, null);
      const found = await oidc().find('Interaction', id);
      assert.deepEqual(found?.payload, { v: 2, uid: uid2 });
      assert.equal(found?.expiresAt, null);
      assert.equal(await oidc().findByUid('Interaction', uid1), undefined);
      assert.deepEqual((await oidc().findByUid('Interaction', uid2))?.payload, { v: 2, uid: uid2 });
    });

    it('keeps a record consumed when it is saved again', async () => {
      const id = randomUUID();
      await oidc().upsert('AuthorizationCode', id, { v: 1 }, inAnHour());
      assert.equal(await oidc().consume('AuthorizationCode', id), true);
      await oidc().upsert('AuthorizationCode', id, { v: 2 }, inAnHour());
      const found = await oidc().find('AuthorizationCode', id);
      assert.deepEqual(found?.payload, { v: 2 });
      assert.ok(found?.consumedAt instanceof Date);
      assert.equal(await oidc().consume('AuthorizationCode', id), false);
    });

    it('keeps models apart: the same id under two models is two records', async () => {
      const id = randomUUID();
      await oidc().upsert('AccessToken', id, { m: 'at' }, null);
      await oidc().upsert('RefreshToken', id, { m: 'rt' }, null);
      assert.deepEqual((await oidc().find('AccessToken', id))?.payload, { m: 'at' });
      assert.deepEqual((await oidc().find('RefreshToken', id))?.payload, { m: 'rt' });
      assert.equal(await oidc().find('Session', id), undefined);
    });

    it('returns undefined for an unknown id', async () => {
      assert.equal(await oidc().find('AccessToken', randomUUID()), undefined);
    });
  });

  describe('finds of one id under several models at once (introspection looks a token up as AccessToken and ClientCredentials)', () => {
    it('give each model its own record, or undefined', async () => {
      const id = randomUUID();
      await oidc().upsert('AccessToken', id, { kind: 'AccessToken' }, inAnHour());
      await oidc().upsert('ClientCredentials', id, { kind: 'ClientCredentials' }, inAnHour());
      await oidc().upsert('RefreshToken', id, { kind: 'RefreshToken' }, anHourAgo());
      const [access, credentials, refresh, code, again] = await Promise.all([
        oidc().find('AccessToken', id),
        oidc().find('ClientCredentials', id),
        oidc().find('RefreshToken', id),
        oidc().find('AuthorizationCode', id),
        oidc().find('AccessToken', id),
      ]);
      assert.deepEqual(access?.payload, { kind: 'AccessToken' });
      assert.deepEqual(credentials?.payload, { kind: 'ClientCredentials' });
      assert.equal(refresh, undefined, 'expired');
      assert.equal(code, undefined, 'never stored');
      assert.deepEqual(again?.payload, { kind: 'AccessToken' });
    });

    it('do not mix up different ids looked up together', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await oidc().upsert('AccessToken', a, { v: 'a' }, inAnHour());
      await oidc().upsert('ClientCredentials', b, { v: 'b' }, inAnHour());
      const found = await Promise.all([
        oidc().find('AccessToken', a), oidc().find('ClientCredentials', a),
        oidc().find('AccessToken', b), oidc().find('ClientCredentials', b),
      ]);
      assert.deepEqual(found.map((record) => record?.payload), [{ v: 'a' }, undefined, undefined, { v: 'b' }]);
    });
  });

  describe('findByUid and findByUserCode', () => {
    it('finds a session by payload.uid, only under its model', async () => {
      const [id, uid] = [randomUUID(), randomUUID()];
      await oidc().upsert('Session', id, { uid, accountId: 'a' }, inAnHour());
      assert.deepEqual((await oidc().findByUid('Session', uid))?.payload, { uid, accountId: 'a' });
      assert.equal(await oidc().findByUid('Interaction', uid), undefined);
      assert.equal(await oidc().findByUid('Session', randomUUID()), undefined);
    });

    it('finds a device code by payload.userCode', async () => {
      const [id, userCode] = [randomUUID(), `ABCD-${randomUUID().slice(0, 4)}`];
      await oidc().upsert('DeviceCode', id, { userCode, grantId: 'g' }, inAnHour());
      assert.deepEqual((await oidc().findByUserCode('DeviceCode', userCode))?.payload, { userCode, grantId: 'g' });
      assert.equal(await oidc().findByUserCode('DeviceCode', 'NOPE-NOPE'), undefined);
    });
  });

  describe('consume', () => {
    it('succeeds once, and find then reports consumedAt with the payload intact', async () => {
      const id = randomUUID();
      await oidc().upsert('AuthorizationCode', id, { grantId: 'g' }, inAnHour());
      const before = Date.now();
      assert.equal(await oidc().consume('AuthorizationCode', id), true);
      assert.equal(await oidc().consume('AuthorizationCode', id), false);
      const found = await oidc().find('AuthorizationCode', id);
      assert.ok(found?.consumedAt instanceof Date);
      // Database and test share a clock here; allow for its millisecond rounding.
      assert.ok(Math.abs(found.consumedAt.getTime() - before) < 60_000);
      assert.deepEqual(found.payload, { grantId: 'g' });
    });

    it('returns false for a missing record', async () => {
      assert.equal(await oidc().consume('AuthorizationCode', randomUUID()), false);
    });

    it('lets exactly one of 20 concurrent callers win', async () => {
      const id = randomUUID();
      await oidc().upsert('RefreshToken', id, { grantId: 'g' }, inAnHour());
      const results = await Promise.all(Array.from({ length: 20 }, () => oidc().consume('RefreshToken', id)));
      assert.equal(results.filter(Boolean).length, 1);
    });
  });

  describe('destroy and revokeByGrantId', () => {
    it('destroys one record and tolerates a missing one', async () => {
      const id = randomUUID();
      await oidc().upsert('AccessToken', id, {}, null);
      await oidc().destroy('AccessToken', id);
      assert.equal(await oidc().find('AccessToken', id), undefined);
      await oidc().destroy('AccessToken', id);
    });

    it('deletes every model of one grant and leaves other grants alone', async () => {
      const [grant, other] = [randomUUID(), randomUUID()];
      const [at, rt, code, keep] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('AccessToken', at, { grantId: grant }, inAnHour());
      await oidc().upsert('RefreshToken', rt, { grantId: grant }, null);
      await oidc().upsert('AuthorizationCode', code, { grantId: grant }, inAnHour());
      await oidc().upsert('AccessToken', keep, { grantId: other }, inAnHour());
      assert.equal(await oidc().revokeByGrantId(grant), 3);
      assert.equal(await oidc().find('AccessToken', at), undefined);
      assert.equal(await oidc().find('RefreshToken', rt), undefined);
      assert.equal(await oidc().find('AuthorizationCode', code), undefined);
      assert.deepEqual((await oidc().find('AccessToken', keep))?.payload, { grantId: other });
      assert.equal(await oidc().revokeByGrantId(grant), 0);
    });

    it('limits the deletion to one model when given', async () => {
      const grant = randomUUID();
      const [at, rt] = [randomUUID(), randomUUID()];
      await oidc().upsert('AccessToken', at, { grantId: grant }, inAnHour());
      await oidc().upsert('RefreshToken', rt, { grantId: grant }, inAnHour());
      assert.equal(await oidc().revokeByGrantId(grant, 'AccessToken'), 1);
      assert.equal(await oidc().find('AccessToken', at), undefined);
      assert.deepEqual((await oidc().find('RefreshToken', rt))?.payload, { grantId: grant });
    });
  });

  describe('revokeBySessionUid', () => {
    /** One sign-in: its Session record, a Grant per client, and tokens of each grant. */
    async function signIn(accountId: string, clients = 1) {
      const sessionUid = randomUUID();
      const sessionId = randomUUID();
      const grants = Array.from({ length: clients }, () => randomUUID());
      await oidc().upsert('Session', sessionId, { uid: sessionUid, accountId }, inAnHour());
      const tokens: Array<[string, string]> = [];
      for (const grantId of grants) {
        await oidc().upsert('Grant', grantId, { accountId, clientId: 'app' }, inAnHour());
        for (const model of ['AuthorizationCode', 'AccessToken', 'RefreshToken']) {
          const id = randomUUID();
          await oidc().upsert(model, id, { grantId, sessionUid, accountId }, inAnHour());
          tokens.push([model, id]);
        }
      }
      return { sessionUid, sessionId, grants, tokens };
    }

    it('deletes the tokens of the session’s grants, the Grants and the Session, and nothing of another session', async () => {
      const accountId = randomUUID();
      const mine = await signIn(accountId, 2);
      const other = await signIn(accountId);
      // A record of one of this session's grants that does not carry the sessionUid itself.
      const grantOnly = randomUUID();
      await oidc().upsert('AccessToken', grantOnly, { grantId: mine.grants[0], accountId }, inAnHour());

      assert.equal(await oidc().revokeBySessionUid(mine.sessionUid), 1 + 2 + 6 + 1);
      for (const [model, id] of mine.tokens) assert.equal(await oidc().find(model, id), undefined, model);
      assert.equal(await oidc().find('AccessToken', grantOnly), undefined);
      for (const grantId of mine.grants) assert.equal(await oidc().find('Grant', grantId), undefined);
      assert.equal(await oidc().find('Session', mine.sessionId), undefined);
      assert.equal(await oidc().findByUid('Session', mine.sessionUid), undefined);

      for (const [model, id] of other.tokens) assert.ok(await oidc().find(model, id), model);
      assert.ok(await oidc().find('Grant', other.grants[0]!));
      assert.ok(await oidc().findByUid('Session', other.sessionUid));
      assert.equal(await oidc().revokeBySessionUid(mine.sessionUid), 0);
    });

    it('deletes the Session record alone when no token was issued yet', async () => {
      const [sessionId, sessionUid] = [randomUUID(), randomUUID()];
      await oidc().upsert('Session', sessionId, { uid: sessionUid, accountId: randomUUID() }, inAnHour());
      assert.equal(await oidc().revokeBySessionUid(sessionUid), 1);
      assert.equal(await oidc().find('Session', sessionId), undefined);
    });

    it('returns 0 for an unknown session', async () => {
      assert.equal(await oidc().revokeBySessionUid(randomUUID()), 0);
    });
  });

  describe('revokeByAccountId', () => {
    it('deletes every record carrying the accountId and leaves other accounts alone', async () => {
      const [accountId, otherAccount] = [randomUUID(), randomUUID()];
      const [session, grant, at, rt, keep] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('Session', session, { uid: randomUUID(), accountId }, inAnHour());
      await oidc().upsert('Grant', grant, { accountId, clientId: 'app' }, inAnHour());
      await oidc().upsert('AccessToken', at, { grantId: grant, accountId, sessionUid: randomUUID() }, inAnHour());
      await oidc().upsert('RefreshToken', rt, { grantId: grant, accountId }, null);
      await oidc().upsert('AccessToken', keep, { grantId: randomUUID(), accountId: otherAccount }, inAnHour());
      assert.equal(await oidc().revokeByAccountId(accountId), 4);
      for (const [model, id] of [['Session', session], ['Grant', grant], ['AccessToken', at], ['RefreshToken', rt]] as const) {
        assert.equal(await oidc().find(model, id), undefined, model);
      }
      assert.ok(await oidc().find('AccessToken', keep));
      assert.equal(await oidc().revokeByAccountId(accountId), 0);
    });

    it('follows the accountId and sessionUid of the latest save of a record', async () => {
      const [id, first, second, sessionUid] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('Session', randomUUID(), { uid: sessionUid, accountId: first }, inAnHour());
      await oidc().upsert('AccessToken', id, { accountId: first, sessionUid, grantId: randomUUID() }, inAnHour());
      await oidc().upsert('AccessToken', id, { accountId: second, grantId: randomUUID() }, inAnHour());
      assert.equal(await oidc().revokeBySessionUid(sessionUid), 1, 'only the Session record: the token left that session');
      assert.ok(await oidc().find('AccessToken', id));
      assert.equal(await oidc().revokeByAccountId(first), 0);
      assert.equal(await oidc().revokeByAccountId(second), 1);
    });
  });

  describe('listGrantsOfAccount and revokeAccountClient', () => {
    it('lists the account\'s live grants with their scopes, and withdraws one client\'s grants, codes and tokens only', async () => {
      const [accountId, otherAccount, app, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const [grant, code, at, rt, otherGrant, otherAt, foreign, expired] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('Grant', grant, {
        accountId, clientId: app, iat: 1_700_000_000, openid: { scope: 'openid email' }, resources: { 'https://x.example/api': 'api openid' },
      }, inAnHour());
      await oidc().upsert('AuthorizationCode', code, { grantId: grant, accountId, clientId: app }, inAnHour());
      await oidc().upsert('AccessToken', at, { grantId: grant, accountId, clientId: app }, inAnHour());
      await oidc().upsert('RefreshToken', rt, { grantId: grant, accountId, clientId: app }, null);
      await oidc().upsert('Grant', otherGrant, { accountId, clientId: other, iat: 1_700_000_100 }, inAnHour());
      await oidc().upsert('AccessToken', otherAt, { grantId: otherGrant, accountId, clientId: other }, inAnHour());
      await oidc().upsert('Grant', foreign, { accountId: otherAccount, clientId: app }, inAnHour());
      await oidc().upsert('Grant', expired, { accountId, clientId: randomUUID() }, anHourAgo());

      assert.deepEqual(await oidc().listGrantsOfAccount(accountId), [
        { grantId: grant, clientId: app, scopes: ['openid', 'email', 'api'], issuedAt: new Date(1_700_000_000_000) },
        { grantId: otherGrant, clientId: other, scopes: [], issuedAt: new Date(1_700_000_100_000) },
      ]);

      assert.equal(await oidc().revokeAccountClient(accountId, app), 4);
      for (const [model, id] of [['Grant', grant], ['AuthorizationCode', code], ['AccessToken', at], ['RefreshToken', rt]] as const) {
        assert.equal(await oidc().find(model, id), undefined, model);
      }
      assert.ok(await oidc().find('Grant', otherGrant), 'another client of the account keeps its grant');
      assert.ok(await oidc().find('AccessToken', otherAt));
      assert.ok(await oidc().find('Grant', foreign), 'another account of the client keeps its grant');
      assert.deepEqual((await oidc().listGrantsOfAccount(accountId)).map((g) => g.clientId), [other]);
      assert.equal(await oidc().revokeAccountClient(accountId, app), 0);
    });
  });

  describe('revokeByClientId', () => {
    it('deletes the grants, codes and tokens of the client and leaves other clients alone', async () => {
      const [clientId, otherClient] = [randomUUID(), randomUUID()];
      const [grant, code, at, rt, cc, keep] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('Grant', grant, { accountId: 'acc', clientId }, inAnHour());
      await oidc().upsert('AuthorizationCode', code, { grantId: grant, clientId }, inAnHour());
      await oidc().upsert('AccessToken', at, { grantId: grant, clientId, accountId: 'acc' }, inAnHour());
      await oidc().upsert('RefreshToken', rt, { grantId: grant, clientId }, null);
      await oidc().upsert('ClientCredentials', cc, { clientId }, inAnHour());
      await oidc().upsert('AccessToken', keep, { grantId: randomUUID(), clientId: otherClient }, inAnHour());
      assert.equal(await oidc().revokeByClientId(clientId), 5);
      for (const [model, id] of [['Grant', grant], ['AuthorizationCode', code], ['AccessToken', at], ['RefreshToken', rt], ['ClientCredentials', cc]] as const) {
        assert.equal(await oidc().find(model, id), undefined, model);
      }
      assert.ok(await oidc().find('AccessToken', keep));
      assert.equal(await oidc().revokeByClientId(clientId), 0);
    });

    it('matches the clientId exactly, never as a pattern', async () => {
      const [id, prefix] = [randomUUID(), randomUUID()];
      await oidc().upsert('AccessToken', id, { clientId: `${prefix}-1` }, inAnHour());
      assert.equal(await oidc().revokeByClientId(`${prefix}-%`), 0);
      assert.equal(await oidc().revokeByClientId(prefix), 0);
      assert.ok(await oidc().find('AccessToken', id));
    });
  });

  describe('listSessionHoldings', () => {
    it('says per sign-in whether its Session record lives and which clients hold live records from it', async () => {
      const [a, b, idle, unknown] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('Session', randomUUID(), { uid: a, accountId: 'acc' }, inAnHour());
      await oidc().upsert('RefreshToken', randomUUID(), { sessionUid: a, clientId: 'web', grantId: 'g1' }, inAnHour());
      await oidc().upsert('AccessToken', randomUUID(), { sessionUid: a, clientId: 'web', grantId: 'g1' }, inAnHour());
      await oidc().upsert('AccessToken', randomUUID(), { sessionUid: a, clientId: 'app', grantId: 'g2' }, null);
      // Signed out, one client still holding a refresh token; expired records count for nothing.
      await oidc().upsert('Session', randomUUID(), { uid: b }, anHourAgo());
      await oidc().upsert('RefreshToken', randomUUID(), { sessionUid: b, clientId: 'web' }, inAnHour());
      await oidc().upsert('AccessToken', randomUUID(), { sessionUid: b, clientId: 'gone' }, anHourAgo());
      await oidc().upsert('Session', randomUUID(), { uid: idle }, inAnHour());
      assert.deepEqual(await oidc().listSessionHoldings([a, b, idle, unknown]), [
        { sessionUid: a, signedIn: true, clientIds: ['app', 'web'] },
        { sessionUid: b, signedIn: false, clientIds: ['web'] },
        { sessionUid: idle, signedIn: true, clientIds: [] },
        { sessionUid: unknown, signedIn: false, clientIds: [] },
      ]);
      assert.deepEqual(await oidc().listSessionHoldings([]), []);
    });
  });

  describe('expiry', () => {
    it('hides expired records from find, findByUid, findByUserCode and consume', async () => {
      const [id, uid, userCode] = [randomUUID(), randomUUID(), randomUUID()];
      await oidc().upsert('DeviceCode', id, { uid, userCode }, anHourAgo());
      assert.equal(await oidc().find('DeviceCode', id), undefined);
      assert.equal(await oidc().findByUid('DeviceCode', uid), undefined);
      assert.equal(await oidc().findByUserCode('DeviceCode', userCode), undefined);
      assert.equal(await oidc().consume('DeviceCode', id), false);
    });

    it('deleteExpired removes records expiring at or before `now` and keeps the rest', async () => {
      // Dates far in the past so rows left by other tests in this store cannot be counted.
      const [a, b, never, live] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const cutoff = new Date('1990-01-15T00:00:00Z');
      await oidc().upsert('AccessToken', a, {}, new Date('1990-01-01T00:00:00Z'));
      await oidc().upsert('AccessToken', b, {}, cutoff);
      await oidc().upsert('AccessToken', `${b}-later`, {}, new Date('1990-02-01T00:00:00Z'));
      await oidc().upsert('RefreshToken', never, {}, null);
      await oidc().upsert('Session', live, {}, inAnHour());
      assert.equal(await oidc().deleteExpired(cutoff), 2);
      assert.equal(await oidc().deleteExpired(cutoff), 0);
      assert.equal(await oidc().deleteExpired(new Date('1990-03-01T00:00:00Z')), 1);
      await oidc().deleteExpired(new Date());
      assert.ok(await oidc().find('RefreshToken', never));
      assert.ok(await oidc().find('Session', live));
    });
  });
});
