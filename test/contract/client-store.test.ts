import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from './backends.ts';

forEachBackend('ClientStore', (getStore) => {
  const clients = () => getStore().clients;

  it('upserts, finds, and replaces metadata and source, keeping createdAt', async () => {
    const clientId = randomUUID();
    const metadata = { client_id: clientId, redirect_uris: ['https://app.test/cb'], first_party: true, token_endpoint_auth_method: 'none' };
    await clients().upsert({ clientId, metadata, source: 'file' });
    const found = await clients().find(clientId);
    assert.deepEqual({ ...found, createdAt: undefined, updatedAt: undefined }, {
      clientId, metadata, source: 'file', previousSecret: null, revision: found!.revision, createdAt: undefined, updatedAt: undefined,
    });
    assert.ok(found!.createdAt instanceof Date && found!.updatedAt instanceof Date);
    const replaced = { client_id: clientId, redirect_uris: [] };
    await clients().upsert({ clientId, metadata: replaced });
    const again = await clients().find(clientId);
    assert.deepEqual(again?.metadata, replaced);
    assert.equal(again?.source, 'api', 'source defaults to api');
    assert.equal(again?.createdAt.getTime(), found!.createdAt.getTime());
  });

  it('find returns undefined for an unknown client', async () => {
    assert.equal(await clients().find(randomUUID()), undefined);
  });

  it('insert refuses a taken clientId, also under concurrency', async () => {
    const clientId = randomUUID();
    const results = await Promise.all([1, 2, 3].map((n) => clients().insert({ clientId, metadata: { n }, source: 'api' })));
    assert.deepEqual(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true) + 1;
    assert.deepEqual((await clients().find(clientId))?.metadata, { n: winner });
  });

  it('update changes an existing client only, keeps or replaces the previous secret, and bumps updatedAt', async () => {
    const clientId = randomUUID();
    assert.equal(await clients().update(clientId, { metadata: {} }), false, 'never creates');
    assert.equal(await clients().find(clientId), undefined);
    await clients().insert({ clientId, metadata: { v: 1 }, source: 'api' });
    const before = (await clients().find(clientId))!;
    const expiresAt = new Date(Date.now() + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await clients().update(clientId, { metadata: { v: 2 }, previousSecret: { secret: 'sha256:ab', expiresAt } }), true);
    let after = (await clients().find(clientId))!;
    assert.deepEqual(after.metadata, { v: 2 });
    assert.equal(after.source, 'api');
    assert.deepEqual(after.previousSecret, { secret: 'sha256:ab', expiresAt });
    assert.ok(after.updatedAt.getTime() > before.updatedAt.getTime());
    assert.equal(after.createdAt.getTime(), before.createdAt.getTime());
    await clients().update(clientId, { metadata: { v: 3 } });
    after = (await clients().find(clientId))!;
    assert.deepEqual(after.previousSecret, { secret: 'sha256:ab', expiresAt }, 'kept when not given');
    await clients().update(clientId, { metadata: { v: 4 }, previousSecret: null });
    assert.equal((await clients().find(clientId))?.previousSecret, null);
  });

  it('update with ifRevision applies only to the revision read, once of concurrent writers', async () => {
    const clientId = randomUUID();
    await clients().insert({ clientId, metadata: { v: 0 }, source: 'api' });
    const read = (await clients().find(clientId))!;
    assert.equal(read.revision, 0);
    const results = await Promise.all([1, 2, 3].map((v) => clients().update(clientId, { metadata: { v }, ifRevision: read.revision })));
    assert.equal(results.filter(Boolean).length, 1);
    const after = (await clients().find(clientId))!;
    assert.deepEqual(after.metadata, { v: results.indexOf(true) + 1 });
    assert.equal(after.revision, 1);
    assert.equal(await clients().update(clientId, { metadata: { v: 9 }, ifRevision: read.revision }), false, 'a stale revision changes nothing');
    assert.deepEqual((await clients().find(clientId))?.metadata, after.metadata);
    assert.equal(await clients().update(clientId, { metadata: { v: 9 }, ifRevision: after.revision }), true);
    assert.equal((await clients().find(clientId))?.revision, 2);
  });

  it('findAll returns every client ordered by clientId (code-unit order)', async () => {
    const prefix = randomUUID();
    const ids = [`${prefix}-b`, `${prefix}-a`, `${prefix}-C`];
    for (const clientId of ids) await clients().upsert({ clientId, metadata: { client_id: clientId } });
    const all = await clients().findAll();
    const mine = all.filter((c) => c.clientId.startsWith(prefix)).map((c) => c.clientId);
    assert.deepEqual(mine, [...ids].sort());
    const allIds = all.map((c) => c.clientId);
    assert.deepEqual(allIds, [...allIds].sort());
  });

  it('list pages through the clients in clientId order', async () => {
    const prefix = `~${randomUUID()}`; // sorts after every other test's ids
    const ids = ['d', 'a', 'c', 'B', 'b'].map((suffix) => `${prefix}-${suffix}`);
    for (const clientId of ids) await clients().insert({ clientId, metadata: {}, source: 'api' });
    const sorted = [...ids].sort();
    const first = await clients().list({ after: `${prefix}-`, limit: 2 });
    assert.deepEqual(first.map((c) => c.clientId), sorted.slice(0, 2));
    const rest = await clients().list({ after: first.at(-1)!.clientId, limit: 10 });
    assert.deepEqual(rest.map((c) => c.clientId), sorted.slice(2));
    const all = await clients().list({ limit: 1000 });
    const allIds = all.map((c) => c.clientId);
    assert.deepEqual(allIds, [...allIds].sort());
  });

  it('deletes, reporting whether something was deleted', async () => {
    const clientId = randomUUID();
    await clients().upsert({ clientId, metadata: {} });
    assert.equal(await clients().delete(clientId), true);
    assert.equal(await clients().find(clientId), undefined);
    assert.equal(await clients().delete(clientId), false);
  });
});
