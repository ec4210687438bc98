// The account console's connected apps (services/connected-apps.ts) on a real
// store: the clients holding the account's grants, and withdrawing one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ClientNotFoundError } from '../../src/errors.ts';
import { createConnectedApps } from '../../src/services/connected-apps.ts';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { Store } from '../../src/storage/ports.ts';

const inAnHour = () => new Date(Date.now() + 3600_000);

describe('connected apps service', function () {
  let store: Store;
  const recorded: Array<Record<string, unknown>> = [];
  beforeEach(async () => {
    store = await openMemoryStore();
    recorded.length = 0;
  });
  afterEach(() => store.close());

  const apps = () => createConnectedApps({ oidc: store.oidc, clients: store.clients, audit: { record: async (e) => void recorded.push({ ...e }) } });

  it('lists third-party clients with their scopes, and revokes one client\'s grants and tokens only', async () => {
    const account = randomUUID();
    await store.clients.upsert({ clientId: 'photos', metadata: { client_id: 'photos', client_name: 'Photo app' } });
    await store.clients.upsert({ clientId: 'notes', metadata: { client_id: 'notes' } });
    const [photos, notes, console_, token] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await store.oidc.upsert('Grant', photos, { accountId: account, clientId: 'photos', iat: 1_700_000_000, openid: { scope: 'openid profile' } }, inAnHour());
    await store.oidc.upsert('RefreshToken', token, { grantId: photos, accountId: account, clientId: 'photos' }, inAnHour());
    await store.oidc.upsert('Grant', notes, { accountId: account, clientId: 'notes', iat: 1_700_000_100 }, inAnHour());
    await store.oidc.upsert('Grant', console_, { accountId: account, clientId: 'gatehouse-console' }, inAnHour());
    // A grant whose client was deleted meanwhile is not shown.
    await store.oidc.upsert('Grant', randomUUID(), { accountId: account, clientId: 'gone' }, inAnHour());

    assert.deepEqual(await apps().list(account), [
      { clientId: 'photos', clientName: 'Photo app', scopes: ['openid', 'profile'], since: new Date(1_700_000_000_000) },
      { clientId: 'notes', clientName: null, scopes: [], since: new Date(1_700_000_100_000) },
    ]);

    await apps().revoke(account, 'photos');
    assert.equal(await store.oidc.find('Grant', photos), undefined);
    assert.equal(await store.oidc.find('RefreshToken', token), undefined);
    assert.ok(await store.oidc.find('Grant', notes));
    assert.deepEqual((await apps().list(account)).map((a) => a.clientId), ['notes']);
    assert.deepEqual(recorded, [{ type: 'grant.revoked', subjectId: account, clientId: 'photos', details: { client_id: 'photos' } }]);
  });

  it('refuses a client the account granted nothing, and the console itself', async () => {
    const account = randomUUID();
    await store.oidc.upsert('Grant', randomUUID(), { accountId: account, clientId: 'gatehouse-console' }, inAnHour());
    await assert.rejects(apps().revoke(account, 'photos'), ClientNotFoundError);
    await assert.rejects(apps().revoke(account, 'gatehouse-console'), ClientNotFoundError);
    assert.deepEqual(recorded, []);
  });
});
