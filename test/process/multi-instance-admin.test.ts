// Two Gatehouse processes on one database (PostgreSQL with TEST_DATABASE_URL,
// MongoDB with TEST_MONGODB_URI), two instances of one deployment (one
// PUBLIC_URL): a client, role or account change through the admin API of A
// is seen by B within 5 seconds (API.md, "Administration API").
// - Clients: B caches them (CLIENT_CACHE_SECONDS at its default of 30 s), so
//   this is the change feed at work.
// - Roles and accounts: the admin API checks the caller's role as stored now
//   and the bearer check reads the account and session on every request, so B
//   must refuse on its very next request, with no wait at all.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { clientCredentialsStatus } from '../support/oauth-client.ts';
import { SHARED_BACKENDS, type SharedDatabase } from '../support/shared-database.ts';
import { spawnServer, tempDir, type SpawnedServer } from '../support/spawn-server.ts';

const PROCESS_TIMEOUT_MS = 180_000;
const ADMIN = { email: 'root@example.com', password: 'correct horse battery staple' };
const PASSWORD = 'another long passphrase';
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

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(server: SpawnedServer, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

function expect(answer: Answer, status: number, code?: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  if (code !== undefined) assert.equal((answer.body.error as { code?: string } | undefined)?.code, code);
}

async function signIn(server: SpawnedServer, credentials: { email: string; password: string }) {
  const answer = await call(server, 'POST', '/api/v1/auth/login', { body: credentials });
  expect(answer, 200);
  return answer.body as { access_token: string; refresh_token: string };
}

for (const backend of SHARED_BACKENDS) describe(`admin changes reach every instance, on ${backend.name}`, function () {
  this.timeout(4 * PROCESS_TIMEOUT_MS);
  const serverUrl = process.env[backend.variable];
  if (!serverUrl) {
    it(`runs two servers on one ${backend.name} database (set ${backend.variable} to enable)`);
    return;
  }
  let database: SharedDatabase | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let token: string;

  /** An admin call through A, as the bootstrap admin. */
  const throughA = (method: string, path: string, body?: unknown) => call(a!, method, `/api/v1/admin${path}`, { token, body });
  let counter = 0;
  const newEmail = (tag: string) => `${tag}-${(counter += 1)}@example.com`;

  before(async () => {
    database = await backend.open(serverUrl);
    dir = await tempDir('gatehouse-multi-');
    // One deployment: one PUBLIC_URL (so one issuer and API audience: a token from either works at both), two ports.
    const port = await freePort();
    const env = { DATABASE_URL: database.url, PUBLIC_URL: `http://127.0.0.1:${port}`, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
    // One after the other: the first runs the migrations.
    a = await spawnServer({ dataDir: join(dir.path, 'unused-a'), port, env, readyTimeoutMs: PROCESS_TIMEOUT_MS });
    b = await spawnServer({ dataDir: join(dir.path, 'unused-b'), env, readyTimeoutMs: PROCESS_TIMEOUT_MS });
    token = (await signIn(a, ADMIN)).access_token;
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await dir?.remove();
    await database?.drop();
  });

  it('a client: created on A, usable at B; rotated on A, the new secret works at B and the old one stops; deleted on A, refused at B', async () => {
    const issuerB = { issuer: `${b!.url}/oidc` };
    const created = await throughA('POST', '/clients', {
      client_id: 'spread', redirect_uris: [], response_types: [], grant_types: ['client_credentials'],
    });
    expect(created, 201);
    const first = created.body.client_secret as string;
    await within('the new client at B', async () => (await clientCredentialsStatus(issuerB, 'spread', first)) === 200);

    // B now holds the client in its cache; a rotation on A must still reach it.
    const rotated = await throughA('POST', '/clients/spread/secrets', { previous_secret_valid_for: 0 });
    expect(rotated, 201);
    const second = rotated.body.client_secret as string;
    await within('the new secret at B', async () => (await clientCredentialsStatus(issuerB, 'spread', second)) === 200);
    assert.equal(await clientCredentialsStatus(issuerB, 'spread', first), 401, 'the old secret is refused at B');

    expect(await throughA('DELETE', '/clients/spread'), 204);
    await within('the deletion at B', async () => (await clientCredentialsStatus(issuerB, 'spread', second)) === 401);
  });

  it('a role: a permission taken from a role through A, or the account demoted through A, is refused by B on the next request', async () => {
    expect(await throughA('POST', '/roles', { name: 'auditor', permissions: ['admin:audit:read', 'admin:users:read'] }), 201);
    const email = newEmail('auditor');
    const created = await throughA('POST', '/users', { email, password: PASSWORD, role: 'auditor', email_verified: true });
    expect(created, 201);
    const id = created.body.id as string;
    const auditor = (await signIn(b!, { email, password: PASSWORD })).access_token;
    const atB = (path: string) => call(b!, 'GET', `/api/v1/admin${path}`, { token: auditor });
    expect(await atB('/audit-events?limit=1'), 200);
    expect(await atB(`/users/${id}`), 200);

    expect(await throughA('PATCH', '/roles/auditor', { permissions: ['admin:users:read'] }), 200);
    expect(await atB('/audit-events?limit=1'), 403, 'FORBIDDEN');
    expect(await atB(`/users/${id}`), 200);

    expect(await throughA('PATCH', `/users/${id}`, { role: 'user' }), 200);
    expect(await atB(`/users/${id}`), 403, 'FORBIDDEN');
    // The token still names the account: only its permissions went.
    expect(await call(b!, 'GET', '/api/v1/me', { token: auditor }), 200);
  });

  it('an account: disabled through A, B refuses its token, its refresh token and its sign-in on the next request; enabled through A, B lets it in', async () => {
    const email = newEmail('user');
    const created = await throughA('POST', '/users', { email, password: PASSWORD, email_verified: true });
    expect(created, 201);
    const id = created.body.id as string;
    const before = await signIn(b!, { email, password: PASSWORD });
    expect(await call(b!, 'GET', '/api/v1/me', { token: before.access_token }), 200);

    expect(await throughA('PATCH', `/users/${id}`, { disabled: true }), 200);
    expect(await call(b!, 'GET', '/api/v1/me', { token: before.access_token }), 401, 'UNAUTHENTICATED');
    expect(await call(b!, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: before.refresh_token } }), 401, 'INVALID_REFRESH_TOKEN');
    expect(await call(b!, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } }), 403, 'ACCOUNT_DISABLED');

    expect(await throughA('PATCH', `/users/${id}`, { disabled: false }), 200);
    const again = await signIn(b!, { email, password: PASSWORD });
    const me = await call(b!, 'GET', '/api/v1/me', { token: again.access_token });
    expect(me, 200);
    assert.equal(me.body.id, id);
  });
});
