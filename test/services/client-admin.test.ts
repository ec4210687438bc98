// The client admin service's read-modify-write (services/client-admin.ts):
// a PATCH that read the client before a secret rotation landed must not write
// the old secret back. The race is forced deterministically: the store runs
// the rotation between the PATCH's read and its write.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLogger } from '../../src/logger.ts';
import { createChangeFeed } from '../../src/services/change-feed.ts';
import { createClientAdmin, type ClientRules } from '../../src/services/client-admin.ts';
import { openMemoryStore } from '../../src/storage/open-store.ts';
import type { ClientStore, Store } from '../../src/storage/ports.ts';
import { protectClientSecrets } from '../../src/oidc/client-secrets.ts';

// What oidc-provider would say, reduced to what this test needs (the HTTP tests run the real rules).
const rules: ClientRules = {
  validate: async () => {},
  needsSecret: (metadata) => metadata.token_endpoint_auth_method !== 'none',
  secretIsKey: () => false,
};

const hashed = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex')}`;

describe('client admin service', function () {
  let store: Store;
  beforeEach(async () => {
    store = await openMemoryStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('a PATCH racing a rotation never writes the old secret back', async () => {
    const clients = await protectClientSecrets(store.clients, undefined);
    const changes = createChangeFeed({ changes: store.changes, intervalMs: 60_000, logger: createLogger('silent') });
    const admin = createClientAdmin({ clients, oidc: store.oidc, changes, rules, roleExists: async () => true });
    const { clientSecret: first } = await admin.create({ client_id: 'raced', grant_types: ['client_credentials'] });

    let rotated: string | undefined;
    const racing: ClientStore = {
      ...clients,
      async update(clientId, change) {
        if (rotated === undefined) rotated = (await admin.rotateSecret(clientId, 0)).clientSecret;
        return clients.update(clientId, change);
      },
    };
    const patching = createClientAdmin({ clients: racing, oidc: store.oidc, changes, rules, roleExists: async () => true });
    const patched = await patching.update('raced', { client_name: 'Renamed' });

    assert.ok(rotated !== undefined && rotated !== first);
    assert.equal(patched.metadata.client_name, 'Renamed');
    const stored = await store.clients.find('raced');
    assert.equal(stored?.metadata.client_secret, hashed(rotated), 'the rotated secret stays');
    assert.equal(stored?.metadata.client_name, 'Renamed', 'the PATCH is applied on top of it');
    changes.stop();
  });
});
