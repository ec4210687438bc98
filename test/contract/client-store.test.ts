import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachBackend } from './backends.ts';

forEachBackend('ClientStore', (getStore) => {
  const clients = () => getStore().clients;

  it('upserts, finds, and replaces metadata', async () => {
    const clientId = randomUUID();
    const metadata = { client_id: clientId, redirect_uris: ['https://app.test/cb'], first_party: true, token_endpoint_auth_method: 'none' };
    await clients().upsert({ clientId, metadata });
    assert.deepEqual(await clients().find(clientId), { clientId, metadata });
    const replaced = { client_id: clientId, redirect_uris: [] };
    await clients().upsert({ clientId, metadata: replaced });
    assert.deepEqual(await clients().find(clientId), { clientId, metadata: replaced });
  });

  it('find returns undefined for an unknown client', async () => {
    assert.equal(await clients().find(randomUUID()), undefined);
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

  it('deletes, reporting whether something was deleted', async () => {
    const clientId = randomUUID();
    await clients().upsert({ clientId, metadata: {} });
    assert.equal(await clients().delete(clientId), true);
    assert.equal(await clients().find(clientId), undefined);
    assert.equal(await clients().delete(clientId), false);
  });
});
