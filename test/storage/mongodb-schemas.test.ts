// The MongoDB backend's declarations, checked without a server: every index
// the queries rely on is declared with the options the issue asks for, and
// the collections cover every model oidc-provider persists. (test/contract/
// runs the behaviour against a server: FerretDB in `npm test`, or yours with
// TEST_MONGODB_URI.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { connectionOptions, defineAllModels } from '../../src/storage/mongodb/mongo-store.ts';
import { ferretIndexOptions } from '../../src/storage/mongodb/indexes.ts';
import { OIDC_MODEL_NAMES, oidcCollectionName } from '../../src/storage/mongodb/oidc-models.ts';
import { createMongoRateLimiter } from '../../src/storage/mongodb/rate-limiter.ts';
import { oneTimeTokenSlot, RATE_LIMIT_COLLECTION } from '../../src/storage/mongodb/models.ts';

type IndexSpec = [Record<string, unknown>, Record<string, unknown>];

/** Any compiled model: only its schema is read. */
interface HasSchema {
  schema: { indexes(): unknown };
}

function indexesOf(model: HasSchema): IndexSpec[] {
  return model.schema.indexes() as IndexSpec[];
}

/** The options of the index on exactly these keys (in this order), or undefined. */
function index(model: HasSchema, keys: Record<string, 1 | -1>): Record<string, unknown> | undefined {
  const found = indexesOf(model).find(([k]) => JSON.stringify(k) === JSON.stringify(keys));
  return found?.[1];
}

const TTL = { expireAfterSeconds: 0 };
const whenString = (path: string) => ({ partialFilterExpression: { [path]: { $type: 'string' } } });

describe('MongoDB backend: schemas and indexes (no server)', () => {
  let connection: Connection;
  let models: ReturnType<typeof defineAllModels>;

  before(() => {
    // Never opened: compiling models and reading their schemas needs no server.
    connection = mongoose.createConnection();
    models = defineAllModels(connection);
  });

  after(async () => {
    await connection.close();
  });

  it('accounts: a unique index on the (normalised) email; newest first and by role for the admin API', () => {
    assert.equal(models.accounts.collection.collectionName, 'accounts');
    assert.deepEqual(index(models.accounts, { email: 1 }), { unique: true });
    assert.deepEqual(index(models.accounts, { createdAt: -1, _id: -1 }), {});
    assert.deepEqual(index(models.accounts, { role: 1 }), {});
    assert.equal(indexesOf(models.accounts).length, 3);
  });

  it('roles: keyed by name, no other index', () => {
    assert.equal(models.roles.collection.collectionName, 'roles');
    assert.deepEqual(indexesOf(models.roles), []);
  });

  it('one collection per oidc-provider model, oidc_<model>', () => {
    assert.deepEqual([...models.oidc.keys()], [...OIDC_MODEL_NAMES]);
    for (const [name, model] of models.oidc) {
      assert.equal(model.collection.collectionName, `oidc_${name.toLowerCase()}`);
      assert.equal(model.collection.collectionName, oidcCollectionName(name as never));
    }
    assert.equal(models.oidc.get('AccessToken')?.collection.collectionName, 'oidc_accesstoken');
  });

  it('covers every model oidc-provider persists through its adapter', () => {
    // The classes in oidc-provider's lib/models that extend BaseModel or
    // BaseToken, plus Client: each is handed to the adapter by class name.
    const require = createRequire(import.meta.url);
    const dir = join(require.resolve('oidc-provider/package.json'), '..', 'lib', 'models');
    const persisted = new Set(['Client']);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const match of source.matchAll(/class (\w+) extends (?:provider\.BaseToken|instance\(provider\)\.BaseModel)\b/g)) {
        if (match[1] !== 'BaseToken') persisted.add(match[1]!);
      }
    }
    assert.ok(persisted.has('AccessToken') && persisted.has('Session') && persisted.has('Grant'), 'the scan found the models');
    assert.deepEqual([...persisted].sort(), [...OIDC_MODEL_NAMES].sort());
  });

  it('oidc collections: TTL on expiresAt, lookups on grantId, sessionUid, accountId, clientId, unique uid and userCode', () => {
    for (const [name, model] of models.oidc) {
      const say = `model ${name}`;
      assert.deepEqual(index(model, { expiresAt: 1 }), TTL, say);
      assert.deepEqual(index(model, { grantId: 1 }), whenString('grantId'), say);
      assert.deepEqual(index(model, { sessionUid: 1 }), whenString('sessionUid'), say);
      assert.deepEqual(index(model, { accountId: 1 }), whenString('accountId'), say);
      assert.deepEqual(index(model, { clientId: 1 }), whenString('clientId'), say);
      assert.deepEqual(index(model, { uid: 1 }), { unique: true, ...whenString('uid') }, say);
      assert.deepEqual(index(model, { userCode: 1 }), { unique: true, ...whenString('userCode') }, say);
      assert.equal(indexesOf(model).length, 7, say);
    }
  });

  it('sessions: by account newest first, TTL on expiresAt, revokedAt for the purge', () => {
    assert.equal(models.sessions.collection.collectionName, 'sessions');
    assert.deepEqual(index(models.sessions, { accountId: 1, createdAt: -1 }), {});
    assert.deepEqual(index(models.sessions, { expiresAt: 1 }), TTL);
    assert.ok(index(models.sessions, { revokedAt: 1 }));
    assert.ok(index(models.sessions, { revokedBy: 1 }));
  });

  it('one-time tokens: keyed by (purpose, account), unique hash, by account, TTL on expiresAt', () => {
    assert.equal(models.oneTimeTokens.collection.collectionName, 'one_time_tokens');
    assert.equal(oneTimeTokenSlot('reset-password', 'acc:1'), 'reset-password:acc:1');
    assert.deepEqual(index(models.oneTimeTokens, { hash: 1 }), { unique: true });
    assert.deepEqual(index(models.oneTimeTokens, { accountId: 1 }), {});
    assert.deepEqual(index(models.oneTimeTokens, { expiresAt: 1 }), TTL);
  });

  it('secrets: ordered by kind, newest first; clients and change versions need only their _id', () => {
    assert.deepEqual(index(models.secrets, { kind: 1, createdAt: -1, seq: -1 }), {});
    assert.deepEqual(indexesOf(models.clients), []);
    assert.deepEqual(indexesOf(models.changes), []);
  });

  it('schemas refuse values outside the ports\' unions (session kind, token purpose, secret kind)', async () => {
    const now = new Date();
    // A role is any stored role's name: the account store checks it exists.
    const session = new models.sessions({ _id: 's', accountId: 'a', kind: 'robot', createdAt: now, lastActiveAt: now, expiresAt: now });
    await assert.rejects(session.validate(), /kind: .*not a valid enum value/);
    const client = new models.clients({ _id: 'c', metadata: {}, source: 'elsewhere', createdAt: now, updatedAt: now });
    await assert.rejects(client.validate(), /source: .*not a valid enum value/);
    const token = new models.oneTimeTokens({ _id: 'login:a', hash: 'h', accountId: 'a', purpose: 'login', expiresAt: now, createdAt: now });
    await assert.rejects(token.validate(), /purpose: .*not a valid enum value/);
    const secret = new models.secrets({ _id: 'k', kind: 'api-key', material: {}, createdAt: now, seq: '1' });
    await assert.rejects(secret.validate(), /kind: .*not a valid enum value/);
  });

  it('rate limits: the indexes RateLimiterMongo would build, declared so they are built at open', async () => {
    // What the library's own createIndexes() sends, recorded on a stand-in connection.
    const created: IndexSpec[] = [];
    const recorder = { collection: () => ({ createIndex: async (keys: Record<string, unknown>, options: Record<string, unknown>) => void created.push([keys, options]) }) };
    const library = new RateLimiterMongo({ storeClient: recorder, tableName: RATE_LIMIT_COLLECTION, disableIndexesCreation: true, points: 1, duration: 1 });
    await library.createIndexes();
    assert.deepEqual(indexesOf(models.rateLimits), created);
    assert.equal(models.rateLimits.collection.collectionName, RATE_LIMIT_COLLECTION);
  });

  it('rate limiters use the shared collection and never build indexes themselves', () => {
    const collections: string[] = [];
    let indexCalls = 0;
    const recorder = {
      collection(name: string) {
        collections.push(name);
        return { createIndex: async () => void indexCalls++ };
      },
    };
    const limiter = createMongoRateLimiter(recorder as unknown as Connection, {
      keyPrefix: 'login-ip', points: 7, durationSeconds: 900, blockDurationSeconds: 60,
    });
    assert.deepEqual(collections, [RATE_LIMIT_COLLECTION]);
    assert.equal(indexCalls, 0);
    assert.equal(limiter.points, 7);
    assert.equal(limiter.duration, 900);
    assert.equal(limiter.blockDuration, 60);
    assert.equal(limiter.getKey('k'), 'login-ip:k');
    // A real mongoose Connection is not a thenable (the library would wait on it) and has no db() function.
    assert.equal(typeof (connection as unknown as { then?: unknown }).then, 'undefined');
    assert.notEqual(typeof connection.db, 'function');
  });

  it('the connection options: sanitizeFilter on, autoIndex/autoCreate/buffering off, a short server timeout', () => {
    assert.deepEqual(connectionOptions('mongodb://db/gatehouse'), {
      sanitizeFilter: true,
      autoIndex: false,
      autoCreate: false,
      bufferCommands: false,
      serverSelectionTimeoutMS: 5000,
    });
    // A timeout in the URL is left to the URL; an explicit option wins.
    assert.equal(connectionOptions('mongodb://db/g?serverSelectionTimeoutMS=200').serverSelectionTimeoutMS, undefined);
    assert.equal(connectionOptions('mongodb://db/g', { serverSelectionTimeoutMS: 50 }).serverSelectionTimeoutMS, 50);
    assert.equal(connectionOptions('mongodb://db/g', { dbName: 'other' }).dbName, 'other');
  });

  it('on FerretDB, builds each index without the TTL and partial options it refuses, and keeps unique', () => {
    assert.deepEqual(ferretIndexOptions({ expireAfterSeconds: 0 }), {});
    assert.deepEqual(ferretIndexOptions({ unique: true, ...whenString('uid') }), { unique: true });
    assert.deepEqual(ferretIndexOptions({ unique: true }), { unique: true });
  });
});
