// The MongoDB backend's defences and error translation, checked without a
// server: operator injection is refused before a query is built, and again by
// sanitizeFilter on the store's own connection options; duplicate keys and an
// unreachable server become the errors the rest of Gatehouse knows.
import assert from 'node:assert/strict';
import mongoose, { type Connection, type Model } from 'mongoose';
import { EmailExistsError, UnavailableError } from '../../src/errors.ts';
import { createMongoAccountStore } from '../../src/storage/mongodb/account-store.ts';
import { createMongoClientStore } from '../../src/storage/mongodb/client-store.ts';
import { guardPort, isDuplicateKey, op, str } from '../../src/storage/mongodb/guards.ts';
import type { AccountDoc, OneTimeTokenDoc, RoleDoc } from '../../src/storage/mongodb/models.ts';
import { connectionOptions, defineAllModels } from '../../src/storage/mongodb/mongo-store.ts';
import { createMongoOidcStore } from '../../src/storage/mongodb/oidc-store.ts';
import { createMongoOneTimeTokenStore } from '../../src/storage/mongodb/one-time-token-store.ts';
import { createMongoRoleStore } from '../../src/storage/mongodb/role-store.ts';
import { createMongoSecretStore } from '../../src/storage/mongodb/secret-store.ts';
import { createMongoSessionStore } from '../../src/storage/mongodb/session-store.ts';
import { openStore } from '../../src/storage/open-store.ts';

/** What a JSON body can smuggle where a string is expected. */
const INJECTION = { $gt: '' } as unknown as string;
const NOT_A_STRING = /must be a string/;

function duplicateKey(keyPattern: Record<string, number>): Error {
  const index = Object.keys(keyPattern).map((k) => `${k}_1`).join('_');
  return new mongoose.mongo.MongoServerError({
    code: 11000,
    keyPattern,
    keyValue: {},
    errmsg: `E11000 duplicate key error collection: gatehouse.x index: ${index} dup key: { }`,
  });
}

describe('MongoDB backend: operator injection and errors (no server)', () => {
  // The store's real connection options on a server that is not there: the
  // initial connection fails at once and every model stays unopened, so an
  // operation that passes casting fails with "before initial connection"
  // instead of reaching any server.
  const URL = 'mongodb://127.0.0.1:1/gatehouse_guards';
  let connection: Connection;
  let models: ReturnType<typeof defineAllModels>;
  const NO_SERVER = /before initial connection/;

  before(async () => {
    connection = mongoose.createConnection(URL, connectionOptions(URL, { serverSelectionTimeoutMS: 50 }));
    await connection.asPromise().catch(() => undefined);
    models = defineAllModels(connection);
  });

  after(async () => {
    await connection.close();
  });

  describe('str() at every entry point', () => {
    it('passes strings and refuses objects, numbers, null and undefined', () => {
      assert.equal(str('a@example.test', 'email'), 'a@example.test');
      assert.equal(str('', 'email'), '');
      for (const value of [{ $gt: '' }, { $ne: null }, ['x'], 1, null, undefined]) {
        assert.throws(() => str(value as unknown as string, 'email'), TypeError);
      }
    });

    it('every store method refuses an operator object before building a query', async () => {
      const accounts = createMongoAccountStore(models);
      const oidc = createMongoOidcStore(models.oidc);
      const sessions = createMongoSessionStore(models);
      const tokens = createMongoOneTimeTokenStore(models.oneTimeTokens);
      const clients = createMongoClientStore(models.clients);
      const secrets = createMongoSecretStore(models.secrets);
      const roles = createMongoRoleStore(models);
      const now = new Date();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['accounts.findById', () => accounts.findById(INJECTION)],
        ['accounts.update (role)', () => accounts.update('a', { role: INJECTION })],
        ['accounts.list (q)', () => accounts.list({ q: INJECTION, now, limit: 1 })],
        ['accounts.list (role)', () => accounts.list({ role: INJECTION, now, limit: 1 })],
        ['accounts.unlock', () => accounts.unlock(INJECTION)],
        ['roles.find', () => roles.find(INJECTION)],
        ['roles.insert', () => roles.insert({ name: INJECTION, description: '', permissions: [] })],
        ['roles.update', () => roles.update(INJECTION, { description: 'x' })],
        ['roles.delete', () => roles.delete(INJECTION)],
        ['roles.countHolders', () => roles.countHolders(INJECTION)],
        ['accounts.findByEmail', () => accounts.findByEmail(INJECTION)],
        ['accounts.update', () => accounts.update(INJECTION, { name: 'x' })],
        ['accounts.delete', () => accounts.delete(INJECTION)],
        ['oidc.find', () => oidc.find('AccessToken', INJECTION)],
        ['oidc.findByUid', () => oidc.findByUid('Session', INJECTION)],
        ['oidc.findByUserCode', () => oidc.findByUserCode('DeviceCode', INJECTION)],
        ['oidc.consume', () => oidc.consume('RefreshToken', INJECTION)],
        ['oidc.destroy', () => oidc.destroy('AccessToken', INJECTION)],
        ['oidc.revokeByGrantId', () => oidc.revokeByGrantId(INJECTION)],
        ['oidc.revokeBySessionUid', () => oidc.revokeBySessionUid(INJECTION)],
        ['oidc.revokeByAccountId', () => oidc.revokeByAccountId(INJECTION)],
        ['sessions.findLive', () => sessions.findLive(INJECTION, now)],
        ['sessions.findLiveWithAccount', () => sessions.findLiveWithAccount(INJECTION, now)],
        ['sessions.findLiveByAccount', () => sessions.findLiveByAccount(INJECTION, now)],
        ['sessions.touch', () => sessions.touch(INJECTION, now)],
        ['sessions.revoke', () => sessions.revoke('s', INJECTION, now)],
        ['sessions.revokeAllForAccount', () => sessions.revokeAllForAccount('a', now, INJECTION)],
        ['oneTimeTokens.findLive', () => tokens.findLive(INJECTION, 'reset-password', now)],
        ['oneTimeTokens.consume', () => tokens.consume(INJECTION, 'reset-password', now)],
        ['oneTimeTokens.deleteForAccount', () => tokens.deleteForAccount(INJECTION, 'verify-email')],
        ['clients.find', () => clients.find(INJECTION)],
        ['clients.delete', () => clients.delete(INJECTION)],
        ['secrets.findByKind', () => secrets.findByKind(INJECTION as never)],
        ['secrets.delete', () => secrets.delete(INJECTION)],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: Error) => err instanceof TypeError && NOT_A_STRING.test(err.message), name);
      }
      // The same call with a string gets as far as the (absent) server.
      await assert.rejects(accounts.findByEmail('a@example.test'), NO_SERVER);
    });

    it('every store method builds a query mongoose accepts: cast and validated, it fails only for want of a server', async () => {
      // What a server-less run can prove about each query: the filter and the
      // update cast against the schema, validators (enums, required _id) pass,
      // and sanitizeFilter keeps the store's own operators. Only then does
      // mongoose look for the connection, which is not there.
      const store = {
        accounts: createMongoAccountStore(models),
        oidc: createMongoOidcStore(models.oidc),
        sessions: createMongoSessionStore(models),
        tokens: createMongoOneTimeTokenStore(models.oneTimeTokens),
        clients: createMongoClientStore(models.clients),
        secrets: createMongoSecretStore(models.secrets),
        roles: createMongoRoleStore(models),
      };
      const now = new Date();
      const later = new Date(now.getTime() + 60_000);
      const session = { id: 's', accountId: 'a', kind: 'browser' as const, clientId: null, deviceName: null, deviceType: null, userAgent: 'UA', ipAddress: null, expiresAt: later };
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['accounts.insert', () => store.accounts.insert({ id: 'a', email: 'a@example.test', emailVerified: false, name: null, role: 'admin', passwordHash: 'h' })],
        ['accounts.findById', () => store.accounts.findById('a')],
        ['accounts.findByEmail', () => store.accounts.findByEmail('a@example.test')],
        ['accounts.update', () => store.accounts.update('a', { name: null, emailVerified: true, role: 'user', passwordHash: 'h2' })],
        ['accounts.delete', () => store.accounts.delete('a')],
        ['accounts.delete (keepAnAdmin)', () => store.accounts.delete('a', { keepAnAdmin: true })],
        ['accounts.update (keepAnAdmin)', () => store.accounts.update('a', { disabled: true }, { keepAnAdmin: true })],
        ['accounts.list', () => store.accounts.list({ q: 'a.b', role: 'user', status: 'active', now, limit: 10, after: { createdAt: now, id: 'a' } })],
        ['accounts.list (locked)', () => store.accounts.list({ status: 'locked', now, limit: 10 })],
        ['accounts.recordSignIn', () => store.accounts.recordSignIn('a', now)],
        ['accounts.markLocked', () => store.accounts.markLocked('a', 0, later)],
        ['accounts.unlock', () => store.accounts.unlock('a')],
        ['roles.find', () => store.roles.find('r')],
        ['roles.list', () => store.roles.list()],
        ['roles.insert', () => store.roles.insert({ name: 'r', description: 'd', permissions: ['reports:read'] })],
        ['roles.update', () => store.roles.update('r', { permissions: ['reports:read'] })],
        ['roles.delete', () => store.roles.delete('r')],
        ['roles.countHolders', () => store.roles.countHolders('r')],
        ['oidc.upsert', () => store.oidc.upsert('Grant', 'g', { accountId: 'a', resources: { 'http://127.0.0.1:3000/api': 'openid' } }, later)],
        ['oidc.upsert (no expiry)', () => store.oidc.upsert('RefreshToken', 'r', { grantId: 'g' }, null)],
        ['oidc.find', () => store.oidc.find('AccessToken', 'x')],
        ['oidc.findByUid', () => store.oidc.findByUid('Session', 'u')],
        ['oidc.findByUserCode', () => store.oidc.findByUserCode('DeviceCode', 'ABCD-EFGH')],
        ['oidc.consume', () => store.oidc.consume('AuthorizationCode', 'c')],
        ['oidc.destroy', () => store.oidc.destroy('AccessToken', 'x')],
        ['oidc.revokeByGrantId', () => store.oidc.revokeByGrantId('g', 'AccessToken')],
        ['oidc.revokeBySessionUid', () => store.oidc.revokeBySessionUid('u')],
        ['oidc.revokeByAccountId', () => store.oidc.revokeByAccountId('a')],
        ['oidc.deleteExpired', () => store.oidc.deleteExpired(now)],
        ['sessions.upsert', () => store.sessions.upsert(session, now)],
        ['sessions.findLive', () => store.sessions.findLive('s', now)],
        ['sessions.findLiveWithAccount', () => store.sessions.findLiveWithAccount('s', now)],
        ['sessions.findLiveByAccount', () => store.sessions.findLiveByAccount('a', now)],
        ['sessions.touch', () => store.sessions.touch('s', now)],
        ['sessions.revoke', () => store.sessions.revoke('s', 'a', now)],
        ['sessions.revokeAllForAccount', () => store.sessions.revokeAllForAccount('a', now, 's')],
        ['sessions.deleteExpired', () => store.sessions.deleteExpired(now)],
        ['oneTimeTokens.insertReplacing', () => store.tokens.insertReplacing({ hash: 'h', accountId: 'a', purpose: 'verify-email', expiresAt: later })],
        ['oneTimeTokens.findLive', () => store.tokens.findLive('h', 'verify-email', now)],
        ['oneTimeTokens.consume', () => store.tokens.consume('h', 'verify-email', now)],
        ['oneTimeTokens.deleteForAccount', () => store.tokens.deleteForAccount('a', 'verify-email')],
        ['oneTimeTokens.deleteExpired', () => store.tokens.deleteExpired(now)],
        ['clients.upsert', () => store.clients.upsert({ clientId: 'app', metadata: { client_id: 'app', redirect_uris: ['https://app.test/cb'] } })],
        ['clients.find', () => store.clients.find('app')],
        ['clients.findAll', () => store.clients.findAll()],
        ['clients.delete', () => store.clients.delete('app')],
        ['secrets.insert', () => store.secrets.insert({ id: 'k', kind: 'signing-key', material: { kty: 'OKP' } })],
        ['secrets.findByKind', () => store.secrets.findByKind('signing-key')],
        ['secrets.delete', () => store.secrets.delete('k')],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: Error) => NO_SERVER.test(err.message) || assert.fail(`${name}: ${err.name}: ${err.message}`), name);
      }
      // And the validators do run: a value outside the schema's enum never reaches the server.
      await assert.rejects(store.sessions.upsert({ ...session, kind: 'robot' as 'api' }, now), /kind: `robot` is not a valid enum value/);
      // (A role is any stored role's name: the account store looks it up, see test/contract/account-store.test.ts.)
    });

    it('refuses an oidc model name outside oidc-provider\'s list instead of creating a collection', async () => {
      const oidc = createMongoOidcStore(models.oidc);
      await assert.rejects(oidc.find('NoSuchModel', 'id'), /Unknown oidc-provider model "NoSuchModel"/);
    });
  });

  describe('sanitizeFilter on the store\'s connection', () => {
    it('wraps an operator object that reaches a filter in $eq, so it matches nothing or fails to cast', async () => {
      const query = models.accounts.findOne({ email: { $gt: '' } });
      await assert.rejects(query.exec(), (err: Error) => err.name === 'CastError' && !NO_SERVER.test(err.message));
      assert.deepEqual(query.getFilter(), { email: { $eq: { $gt: '' } } });

      // Inside a schemaless field (client metadata) there is no cast: it becomes an equality with the object, which no stored string equals.
      const byMetadata = models.clients.findOne({ 'metadata.client_name': { $ne: null } });
      await assert.rejects(byMetadata.exec(), NO_SERVER);
      assert.deepEqual(byMetadata.getFilter(), { 'metadata.client_name': { $eq: { $ne: null } } });

      // $where and friends are refused outright.
      await assert.rejects(models.accounts.findOne({ $where: 'true' }).exec(), /\$where is not allowed with sanitizeFilter/);
    });

    it('leaves the operators the store writes itself (op()) alone', async () => {
      const now = new Date();
      const query = models.sessions.findOne({ _id: 's', revokedAt: null, expiresAt: op({ $gt: now }), accountId: op({ $ne: 'x' }) });
      await assert.rejects(query.exec(), NO_SERVER);
      // JSON: op() marks its object with a symbol that deepEqual would compare too.
      assert.equal(JSON.stringify(query.getFilter()), JSON.stringify({ _id: 's', revokedAt: null, expiresAt: { $gt: now }, accountId: { $ne: 'x' } }));
      // Without op() the same operator is neutralised: sanitizeFilter really is on.
      const untrusted = models.sessions.findOne({ expiresAt: { $gt: now } });
      await assert.rejects(untrusted.exec());
      assert.deepEqual(untrusted.getFilter(), { expiresAt: { $eq: { $gt: now } } });
    });
  });

  describe('errors', () => {
    it('isDuplicateKey tells the index apart', () => {
      assert.equal(isDuplicateKey(duplicateKey({ email: 1 }), 'email'), true);
      assert.equal(isDuplicateKey(duplicateKey({ _id: 1 }), 'email'), false);
      assert.equal(isDuplicateKey(duplicateKey({ accountId: 1, purpose: 1 }), 'accountId'), true);
      assert.equal(isDuplicateKey(new Error('E11000'), 'email'), false);
      // Servers before 4.4 name the index only in the message.
      assert.equal(isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error index: email_1 dup key' }, 'email'), true);
    });

    it('a duplicate email is EmailExistsError; a duplicate id is not', async () => {
      let failWith: Error = duplicateKey({ email: 1 });
      const accounts = { create: async () => Promise.reject(failWith) } as unknown as Model<AccountDoc>;
      // The role is looked up before the insert: it exists.
      const roles = { exists: async () => ({ _id: 'user' }) } as unknown as Model<RoleDoc>;
      const store = createMongoAccountStore({ ...models, accounts, roles });
      const input = { id: 'a', email: 'a@example.test', emailVerified: false, name: null, role: 'user' as const, passwordHash: 'h' };
      await assert.rejects(store.insert(input), EmailExistsError);
      failWith = duplicateKey({ _id: 1 });
      await assert.rejects(store.insert(input), (err) => !(err instanceof EmailExistsError) && (err as { code?: number }).code === 11000);
    });

    it('insertReplacing is one upserting replace of the (purpose, account) slot: no window with two live tokens', async () => {
      const writes: unknown[][] = [];
      const tokens = {
        replaceOne: (...args: unknown[]) => ({ exec: async () => (writes.push(args), { acknowledged: true }) }),
        deleteMany: async () => assert.fail('insertReplacing must not delete and insert in two steps'),
        create: async () => assert.fail('insertReplacing must not delete and insert in two steps'),
      } as unknown as Model<OneTimeTokenDoc>;
      const expiresAt = new Date();
      await createMongoOneTimeTokenStore(tokens).insertReplacing({ hash: 'h', accountId: 'a', purpose: 'reset-password', expiresAt });
      assert.equal(writes.length, 1);
      const [filter, replacement, options] = writes[0] as [object, Record<string, unknown>, object];
      assert.deepEqual(filter, { _id: 'reset-password:a' });
      assert.deepEqual({ ...replacement, createdAt: undefined }, {
        _id: 'reset-password:a', hash: 'h', accountId: 'a', purpose: 'reset-password', expiresAt, consumedAt: null, createdAt: undefined,
      });
      assert.deepEqual(options, { upsert: true, runValidators: true });
    });

    it('guardPort turns an unreachable server into UnavailableError and passes other errors through', async () => {
      const selection = new mongoose.mongo.MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', { type: 'Unknown', servers: new Map() } as never);
      const dup = duplicateKey({ email: 1 });
      const port = guardPort({
        down: async () => Promise.reject(selection),
        network: async () => Promise.reject(new mongoose.mongo.MongoNetworkError('socket closed')),
        steppedDown: async () => Promise.reject(new mongoose.mongo.MongoServerError({ code: 11600, errmsg: 'interrupted at shutdown' })),
        dns: async () => Promise.reject(Object.assign(new Error('querySrv ENOTFOUND _mongodb._tcp.x'), { code: 'ENOTFOUND' })),
        duplicate: async () => Promise.reject(dup),
        typeError: async () => str(INJECTION, 'id'),
        ok: async (x: number) => x + 1,
      });
      for (const name of ['down', 'network', 'steppedDown', 'dns'] as const) {
        await assert.rejects(port[name](), (err) => err instanceof UnavailableError && err.status === 503, name);
      }
      await assert.rejects(port.duplicate(), (err) => err === dup);
      await assert.rejects(port.typeError(), TypeError);
      assert.equal(await port.ok(1), 2);
    });
  });

  describe('opening from DATABASE_URL', () => {
    it('fails fast with a clear error, without the password, when no server answers', async function () {
      this.timeout(10_000);
      const started = Date.now();
      await assert.rejects(
        openStore({ databaseUrl: 'mongodb://gatehouse:s3cret-pw@127.0.0.1:1/gatehouse?serverSelectionTimeoutMS=300', dataDir: '/nonexistent' }),
        (err: Error) => {
          assert.ok(err instanceof UnavailableError, `${err.name}: ${err.message}`);
          assert.match(err.message, /MongoDB did not answer: .*127\.0\.0\.1:1/);
          assert.doesNotMatch(err.message, /s3cret-pw/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });

    it('routes mongodb+srv:// to the MongoDB backend (the driver, not openStore, refuses this URL)', async () => {
      await assert.rejects(
        openStore({ databaseUrl: 'mongodb+srv://cluster.example.test:27017/gatehouse', dataDir: '/nonexistent' }),
        (err: Error) => err.name === 'MongoParseError' && /port/i.test(err.message),
      );
    });
  });
});
