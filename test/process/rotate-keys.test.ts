// Key rotation (src/cli/rotate-keys.ts): new keys come first and sign after a
// restart while the old ones keep verifying; --retire keeps only the newest.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { COOKIE_KEYS_KEPT, retireKeys, rotateKeys } from '../../src/cli/rotate-keys.ts';
import { loadOrCreateSecrets } from '../../src/oidc/secrets.ts';
import { openMemoryStore, openStore } from '../../src/storage/open-store.ts';
import type { SecretKind, Store } from '../../src/storage/ports.ts';
import { createTestAccount, startTestServer } from '../support/server.ts';
import { runNode, tempDir } from '../support/spawn-server.ts';

const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const idsOf = async (store: Store, kind: SecretKind) => (await store.secrets.findByKind(kind)).map((s) => s.id);

describe('rotateKeys and retireKeys', function () {
  let store: Store;
  beforeEach(async () => {
    store = await openMemoryStore();
  });
  afterEach(async () => store?.close().catch(() => {}));

  it('puts the new RS256 and ES256 signing keys and the new cookie key first', async function () {
    const initial = await loadOrCreateSecrets(store.secrets);
    const lines: string[] = [];
    const ids = await rotateKeys(store.secrets, (line) => lines.push(line));

    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['added signing', 'added signing', 'added cookie']);
    for (const id of ids) assert.ok(lines.some((l) => l.includes(id)), `no line names ${id}`);

    const rotated = await loadOrCreateSecrets(store.secrets);
    assert.equal(rotated.signingKeys.length, initial.signingKeys.length + 2);
    const newest = rotated.signingKeys.slice(0, 2);
    assert.deepEqual(newest.map((k) => k.kid).sort(), ids.slice(0, 2).sort());
    assert.deepEqual(newest.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    // The old keys are still there, after the new ones, so they keep verifying.
    assert.deepEqual(rotated.signingKeys.slice(2).map((k) => k.kid), initial.signingKeys.map((k) => k.kid));

    assert.deepEqual(rotated.cookieKeys.slice(1), initial.cookieKeys);
    assert.equal(rotated.cookieKeys.length, 2);
    assert.notEqual(rotated.cookieKeys[0], initial.cookieKeys[0]);
    assert.equal((await idsOf(store, 'cookie-key'))[0], ids[2]);
  });

  it('makes fresh, unguessable ids each time', async function () {
    const first = await rotateKeys(store.secrets);
    const second = await rotateKeys(store.secrets);
    assert.equal(new Set([...first, ...second]).size, 6);
    for (const id of [...first, ...second]) assert.match(id, /[0-9a-f]{12}$/);
  });

  it('--retire keeps only the newest signing key of each algorithm and the newest two cookie keys', async function () {
    await loadOrCreateSecrets(store.secrets);
    await rotateKeys(store.secrets);
    await rotateKeys(store.secrets);
    const latest = await rotateKeys(store.secrets);
    const cookiesBefore = await idsOf(store, 'cookie-key');
    assert.equal(cookiesBefore.length, 4);
    assert.equal((await idsOf(store, 'signing-key')).length, 8);

    const lines: string[] = [];
    const deleted = await retireKeys(store.secrets, (line) => lines.push(line));

    assert.deepEqual((await idsOf(store, 'signing-key')).sort(), latest.slice(0, 2).sort());
    assert.deepEqual(await idsOf(store, 'cookie-key'), cookiesBefore.slice(0, COOKIE_KEYS_KEPT));
    assert.equal(deleted.length, 6 + (4 - COOKIE_KEYS_KEPT));
    assert.equal(lines.length, deleted.length);
    for (const id of deleted) assert.ok(lines.some((l) => l.startsWith('retired') && l.includes(id)), `no line names ${id}`);

    const secrets = await loadOrCreateSecrets(store.secrets);
    assert.deepEqual(secrets.signingKeys.map((k) => k.kid).sort(), latest.slice(0, 2).sort());
    assert.equal(secrets.cookieKeys.length, COOKIE_KEYS_KEPT);
  });

  it('--retire with nothing to retire deletes nothing and says so', async function () {
    await loadOrCreateSecrets(store.secrets);
    const lines: string[] = [];
    assert.deepEqual(await retireKeys(store.secrets, (line) => lines.push(line)), []);
    assert.deepEqual(lines, ['nothing to retire']);
    assert.equal((await idsOf(store, 'signing-key')).length, 2);
    assert.equal((await idsOf(store, 'cookie-key')).length, 1);
  });

  it('after a restart the new keys sign and the old ones are still published', async function () {
    const initial = await loadOrCreateSecrets(store.secrets);
    const [rsKid, esKid] = await rotateKeys(store.secrets);
    const client = {
      client_id: 'rotation-app',
      client_secret: 'rotation-secret-0123456789abcdef0123456789',
      grant_types: ['password'],
      response_types: [],
      redirect_uris: [],
      first_party: true,
    };
    const server = await startTestServer({ store, clients: [client] });
    try {
      await createTestAccount(server, { email: 'ann@example.com', password: 'correct horse battery staple' });
      const jwks = await request(server.url).get('/oidc/jwks').expect(200);
      const published = (jwks.body.keys as Array<{ kid: string }>).map((k) => k.kid).sort();
      assert.deepEqual(published, [rsKid!, esKid!, ...initial.signingKeys.map((k) => String(k.kid))].sort());

      const res = await request(server.url)
        .post('/oidc/token')
        .auth(client.client_id, client.client_secret)
        .type('form')
        .send({ grant_type: 'password', username: 'ann@example.com', password: 'correct horse battery staple', scope: 'openid' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(kidOf(res.body.access_token), esKid);
      assert.equal(kidOf(res.body.id_token), rsKid);
    } finally {
      await server.close();
    }
  });
});

describe('the rotate-keys command', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runNode(['src/cli/rotate-keys.ts', ...args], env, 30_000);

  before(async () => {
    dir = await tempDir('gatehouse-rotate-');
    env = { DATA_DIR: join(dir.path, 'data') };
  });
  after(async () => dir?.remove());

  it('rotates and retires the keys of the database DATA_DIR points at, one line per action', async function () {
    const runs = [await cli(), await cli(), await cli()];
    const added: string[] = [];
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      assert.equal(lines.length, 4, run.stdout);
      assert.match(lines[0]!, /^added signing key rs256-\S+ \(RS256\)$/);
      assert.match(lines[1]!, /^added signing key es256-\S+ \(ES256\)$/);
      assert.match(lines[2]!, /^added cookie key cookie-\S+$/);
      assert.match(lines[3]!, /restart/);
      added.push(...lines.slice(0, 3).map((l) => l.split(' ')[3]!));
    }

    const retire = await cli('--retire');
    assert.equal(retire.code, 0, retire.stderr);
    const retired = retire.stdout.trim().split('\n').filter((l) => l.startsWith('retired'));
    // Three rotations: two old keys of each algorithm and one cookie key go.
    assert.equal(retired.length, 5, retire.stdout);

    const store = await openStore({ dataDir: env.DATA_DIR! });
    try {
      const last = added.slice(6);
      assert.deepEqual((await idsOf(store, 'signing-key')).sort(), last.slice(0, 2).sort());
      assert.deepEqual(await idsOf(store, 'cookie-key'), [last[2], added[5]]);
    } finally {
      await store.close();
    }
  });

  it('refuses an unknown argument with exit code 2', async function () {
    const run = await cli('--retier');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: rotate-keys \[--retire\]/);
    assert.equal(run.stdout, '');
  });

  it('refuses a bad configuration with exit code 1 and one line naming the variable', async function () {
    const run = await runNode(['src/cli/rotate-keys.ts'], { DATABASE_URL: 'mysql://x' });
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /DATABASE_URL/);
    assert.ok(!run.stderr.includes('    at '));
  });
});
