// The live key set of a process (src/oidc/key-ring.ts) and the admin
// operations on the stored keys (src/oidc/key-management.ts), on a real store.
import assert from 'node:assert/strict';
import { KeyActiveError, NotFoundError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { COOKIE_KEYS_KEPT, listSigningKeys, retireSigningKey, rotateKeys } from '../../src/oidc/key-management.ts';
import { openKeyRing, type KeyRing } from '../../src/oidc/key-ring.ts';
import type { ServerSecrets } from '../../src/oidc/secrets.ts';
import type { Store } from '../../src/storage/ports.ts';
import { openTestStore } from '../support/test-store.ts';

describe('key ring and key management', function () {
  let store: Store;
  let ring: KeyRing;
  const logger = createLogger('silent');

  beforeEach(async () => {
    store = await openTestStore();
    // Refreshed by hand below (not started: a timer would only race the assertions).
    ring = await openKeyRing(store.secrets, { refreshMs: 3_600_000, logger });
  });
  afterEach(async () => {
    ring?.stop();
    await store?.close();
  });

  it('creates the first keys, one active per algorithm', async () => {
    const keys = await listSigningKeys(store.secrets);
    assert.deepEqual(keys.map((k) => [k.alg, k.status]).sort(), [['ES256', 'active'], ['RS256', 'active']]);
    assert.equal(ring.current().signingKeys.length, 2);
    assert.equal(ring.current().cookieKeys.length, 1);
  });

  it('swaps only when the stored set changed, newest first, and tells every listener', async () => {
    const seen: ServerSecrets[] = [];
    ring.onChange((secrets) => seen.push(secrets));
    const before = ring.current();
    assert.equal(await ring.refresh(), false);
    assert.equal(ring.current(), before);

    const created = await rotateKeys(store.secrets);
    assert.equal(await ring.refresh(), true);
    assert.equal(seen.length, 1);
    assert.equal(seen[0], ring.current());
    assert.deepEqual(ring.current().signingKeys.slice(0, 2).map((k) => k.kid).sort(), created.map((k) => k.kid).sort());
    assert.equal(ring.current().signingKeys.length, 4);
    assert.equal(ring.current().cookieKeys.length, 2);
    assert.equal(ring.current().cookieKeys[1], before.cookieKeys[0]);
    assert.equal(await ring.refresh(), false);
  });

  it('rotation keeps the newest cookie keys only', async () => {
    for (let i = 0; i < 4; i += 1) await rotateKeys(store.secrets);
    await ring.refresh();
    assert.equal(ring.current().cookieKeys.length, COOKIE_KEYS_KEPT);
    assert.equal(ring.current().signingKeys.length, 10);
  });

  it('retires a previous key; refuses the active one (KEY_ACTIVE) and an unknown kid (NOT_FOUND)', async () => {
    const initial = await listSigningKeys(store.secrets);
    const created = await rotateKeys(store.secrets);
    await assert.rejects(retireSigningKey(store.secrets, created[0]!.kid), KeyActiveError);
    await assert.rejects(retireSigningKey(store.secrets, 'nope'), NotFoundError);
    for (const key of initial) await retireSigningKey(store.secrets, key.kid);
    await assert.rejects(retireSigningKey(store.secrets, initial[0]!.kid), NotFoundError);
    await ring.refresh();
    assert.deepEqual(ring.current().signingKeys.map((k) => k.kid).sort(), created.map((k) => k.kid).sort());
  });

  it('keeps the current keys when the stored set is unusable (an algorithm with no key)', async () => {
    const before = ring.current();
    const es = (await listSigningKeys(store.secrets)).find((k) => k.alg === 'ES256')!;
    // Past the routes' guard, as a hand edit of the database would be.
    await store.secrets.delete(es.kid);
    assert.equal(await ring.refresh(), false);
    assert.equal(ring.current(), before);
  });
});
