// Key rotation with no restart, across processes (API.md: new keys sign "on
// every instance within 60 s, with no restart"): two `node src/main.ts` on
// one database (PostgreSQL with TEST_DATABASE_URL, MongoDB with
// TEST_MONGODB_URI) with KEYS_REFRESH_SECONDS=1. `gatehouse keys rotate`
// through A; B publishes and signs with the new keys; a token B issued before
// keeps working until its key is retired through A, then B refuses it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { SHARED_BACKENDS, type SharedDatabase } from '../support/shared-database.ts';
import { runNode, spawnServer, tempDir, type SpawnedServer } from '../support/spawn-server.ts';

const PROCESS_TIMEOUT_MS = 180_000;
const ADMIN = { email: 'root@example.com', password: 'a long admin passphrase' };
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** Poll until `probe` gives a value; the deadline is generous (a loaded machine), the expected wait a second or two. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function login(server: SpawnedServer): Promise<{ access_token: string; id_token?: string }> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { access_token: string; id_token?: string };
}

const jwksKids = async (server: SpawnedServer) =>
  ((await (await fetch(`${server.url}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

const meStatus = async (server: SpawnedServer, token: string) =>
  (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;

for (const backend of SHARED_BACKENDS) describe(`key rotation across processes, with no restart, on ${backend.name}`, function () {
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

  before(async () => {
    database = await backend.open(serverUrl);
    dir = await tempDir('gatehouse-keys-');
    // Two instances of one deployment: one PUBLIC_URL (so one issuer and API audience), two ports.
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url, PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYS_REFRESH_SECONDS: '1', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
    };
    // One after the other: the first start creates the schema's tables and keys.
    a = await spawnServer({ dataDir: join(dir.path, 'unused-a'), port, env, readyTimeoutMs: PROCESS_TIMEOUT_MS });
    b = await spawnServer({ dataDir: join(dir.path, 'unused-b'), env, readyTimeoutMs: PROCESS_TIMEOUT_MS });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dir?.remove();
    await database?.drop();
  });

  it('rotate through A: B publishes and signs with the new keys; retire through A: B refuses what the old key signed', async () => {
    const configDir = join(dir.path, 'cli');
    const gatehouse = (...args: string[]) =>
      runNode(['src/cli/gatehouse.ts', ...args, '--url', a!.url], { GATEHOUSE_CONFIG_DIR: configDir }, PROCESS_TIMEOUT_MS, ADMIN.password);

    const fromB = await login(b!);
    const oldAccessKid = kidOf(fromB.access_token);
    assert.deepEqual((await jwksKids(b!)).sort(), (await jwksKids(a!)).sort());

    const loggedIn = await gatehouse('login', '--email', ADMIN.email, '--password-stdin');
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
    const rotated = await gatehouse('keys', 'rotate', '--json');
    assert.equal(rotated.code, 0, rotated.stderr);
    const created = (JSON.parse(rotated.stdout) as { items: Array<{ kid: string; alg: string }> }).items;
    const newAccessKid = created.find((k) => k.alg === 'ES256')!.kid;
    const newIdKid = created.find((k) => k.alg === 'RS256')!.kid;

    // A swapped before answering; B within KEYS_REFRESH_SECONDS.
    assert.ok((await jwksKids(a!)).includes(newAccessKid));
    await waitFor('B to publish the new keys', async () => ((await jwksKids(b!)).includes(newAccessKid) ? true : undefined));
    assert.ok((await jwksKids(b!)).includes(newIdKid));
    assert.ok((await jwksKids(b!)).includes(oldAccessKid), 'the old key is still published');

    const afterRotation = await login(b!);
    assert.equal(kidOf(afterRotation.access_token), newAccessKid);
    if (afterRotation.id_token) assert.equal(kidOf(afterRotation.id_token), newIdKid);
    assert.equal(await meStatus(b!, afterRotation.access_token), 200);
    assert.equal(await meStatus(a!, afterRotation.access_token), 200);
    // Signed by B before the rotation: still good on both.
    assert.equal(await meStatus(b!, fromB.access_token), 200);
    assert.equal(await meStatus(a!, fromB.access_token), 200);

    const retired = await gatehouse('keys', 'retire', oldAccessKid);
    assert.equal(retired.code, 0, retired.stderr);
    assert.equal(await meStatus(a!, fromB.access_token), 401);
    await waitFor('B to refuse the token the retired key signed', async () => ((await meStatus(b!, fromB.access_token)) === 401 ? true : undefined));
    assert.ok(!(await jwksKids(b!)).includes(oldAccessKid));
    assert.equal(await meStatus(b!, afterRotation.access_token), 200);
  });
});
