// Two Gatehouse processes on one PostgreSQL database, each with its own
// client cache (CLIENT_CACHE_SECONDS at its default of 30 s): a client
// created, rotated or deleted through the admin API of one is seen by the
// other within 5 seconds (API.md), through the change feed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { clientCredentialsStatus } from '../support/oauth-client.ts';
import { spawnServer, tempDir, type SpawnedServer } from '../support/spawn-server.ts';

const ADMIN = { email: 'root@example.com', password: 'correct horse battery staple' };
/** API.md: "A change through the admin API is seen by every instance within 5 seconds." */
const PROPAGATION_MS = 5_000;

/** Resolves once check() is true; fails if that takes longer than the contract's 5 seconds. */
async function within(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + PROPAGATION_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`${what}: not seen within ${PROPAGATION_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('client changes reach every instance', function () {
  this.timeout(180_000);
  const url = process.env.TEST_DATABASE_URL;
  if (url === undefined) {
    it('runs two processes on PostgreSQL (set TEST_DATABASE_URL to enable)');
    return;
  }
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let token: string;

  const issuer = (server: SpawnedServer) => ({ issuer: `${server.url}/oidc` });
  const adminApi = (server: SpawnedServer, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/v1/admin/clients${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  before(async () => {
    const admin = createPgDriver({ url, max: 1 });
    await admin.query(`create schema ${schema}`).finally(() => admin.close());
    dir = await tempDir();
    const u = new URL(url);
    // Every connection of both processes uses the schema (libpq `options`).
    u.searchParams.set('options', `-c search_path=${schema}`);
    const env = { DATABASE_URL: u.href, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
    // One after the other: the first runs the migrations.
    a = await spawnServer({ dataDir: join(dir.path, 'unused-a'), env, readyTimeoutMs: 60_000 });
    b = await spawnServer({ dataDir: join(dir.path, 'unused-b'), env, readyTimeoutMs: 60_000 });
    const login = await fetch(`${a.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
    });
    assert.equal(login.status, 200);
    token = ((await login.json()) as { access_token: string }).access_token;
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await dir?.remove();
    const admin = createPgDriver({ url, max: 1 });
    await admin.query(`drop schema if exists ${schema} cascade`).finally(() => admin.close());
  });

  it('creates on A, usable at B; rotates on A, the new secret works at B and the old one stops; deletes on A, refused at B', async () => {
    const created = await adminApi(a!, 'POST', '', {
      client_id: 'spread', redirect_uris: [], response_types: [], grant_types: ['client_credentials'],
    });
    assert.equal(created.status, 201);
    const first = ((await created.json()) as { client_secret: string }).client_secret;
    await within('the new client at B', async () => (await clientCredentialsStatus(issuer(b!), 'spread', first)) === 200);

    // B now holds the client in its cache; a rotation on A must still reach it.
    const rotated = await adminApi(a!, 'POST', '/spread/secrets', { previous_secret_valid_for: 0 });
    assert.equal(rotated.status, 201);
    const second = ((await rotated.json()) as { client_secret: string }).client_secret;
    await within('the new secret at B', async () => (await clientCredentialsStatus(issuer(b!), 'spread', second)) === 200);
    assert.equal(await clientCredentialsStatus(issuer(b!), 'spread', first), 401, 'the old secret is refused at B');

    const deleted = await adminApi(a!, 'DELETE', '/spread');
    assert.equal(deleted.status, 204);
    await within('the deletion at B', async () => (await clientCredentialsStatus(issuer(b!), 'spread', second)) === 401);
  });
});
