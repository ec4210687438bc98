// The `gatehouse` CLI as real processes against a real spawned server on a
// DATA_DIR: create-admin on the database (and refused next to a running
// server), login by password and by client credentials, the token file's
// mode, keys list/rotate/retire, --json, exit codes and one-line errors.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { runNode, spawnServer, tempDir, type Run, type SpawnedServer } from '../support/spawn-server.ts';

/** Opening PGlite and migrating takes seconds alone and a minute on a loaded machine. */
const PROCESS_TIMEOUT_MS = 180_000;
const ADMIN = { email: 'root@example.com', password: 'a long admin passphrase' };
const USER = { email: 'user@example.com', password: 'another long passphrase' };
const SERVICE = { client_id: 'ops-bot', client_secret: 'ops-bot-secret-0123456789abcdef0123456789' };

/** One line on stderr matching `pattern`, no stack trace, the exit code given. */
function assertFails(run: Run, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.ok(!run.stderr.includes('    at '), 'stack trace printed');
}

function assertOk(run: Run): void {
  assert.equal(run.code, 0, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
}

interface KeyItem {
  kid: string;
  alg: string;
  status: string;
}

describe('gatehouse CLI', function () {
  this.timeout(4 * PROCESS_TIMEOUT_MS);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let configDir: string;
  let server: SpawnedServer | undefined;

  const gatehouse = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runNode(['src/cli/gatehouse.ts', ...args], { DATA_DIR: dataDir, GATEHOUSE_CONFIG_DIR: configDir, ...options.env }, PROCESS_TIMEOUT_MS, options.input);
  const credentialsFile = () => join(configDir, 'credentials.json');
  const keys = async () => {
    const run = await gatehouse(['keys', 'list', '--json']);
    assertOk(run);
    return (JSON.parse(run.stdout) as { items: KeyItem[] }).items;
  };

  before(async () => {
    dir = await tempDir('gatehouse-cli-');
    dataDir = join(dir.path, 'data');
    configDir = join(dir.path, 'config');
  });
  after(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('create-admin works on the database with no server, and refuses a taken email and a weak password', async () => {
    const created = await gatehouse(['create-admin', '--email', ADMIN.email, '--json'], { input: `${ADMIN.password}\n` });
    assertOk(created);
    const body = JSON.parse(created.stdout) as { id: string; email: string; role: string };
    assert.equal(body.email, ADMIN.email);
    assert.equal(body.role, 'admin');

    assertFails(await gatehouse(['create-admin', '--email', ADMIN.email], { input: ADMIN.password }), 1, /^error: EMAIL_EXISTS: /);
    assertFails(await gatehouse(['create-admin', '--email', 'other@example.com'], { input: 'password' }), 1, /^error: WEAK_PASSWORD: /);
    assertFails(await gatehouse(['create-admin']), 2, /--email is required/);
  });

  it('create-admin next to a running server on the DATA_DIR stops with one line naming its process', async () => {
    const clientsFile = join(dir.path, 'clients.json');
    await writeFile(clientsFile, JSON.stringify([{ ...SERVICE, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], api_access: true }]));
    server = await spawnServer({
      dataDir,
      env: { CLIENTS_FILE: clientsFile, REQUIRE_EMAIL_VERIFICATION: 'false' },
      readyTimeoutMs: PROCESS_TIMEOUT_MS,
    });
    const run = await gatehouse(['create-admin', '--email', 'second@example.com'], { input: ADMIN.password });
    assertFails(run, 1, new RegExp(`^error: DATA_DIR_IN_USE: DATA_DIR .* in use by process ${server.child.pid}\\b`));
    assert.equal(run.stdout, '');
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });

  it('without a login: exit 3; an unreachable server: exit 4; a bad command or option: exit 2', async () => {
    assertFails(await gatehouse(['keys', 'list', '--url', server!.url]), 3, /^error: UNAUTHENTICATED: not logged in/);
    const closed = `http://127.0.0.1:${await freePort()}`;
    assertFails(await gatehouse(['login', '--email', ADMIN.email, '--password-stdin', '--url', closed], { input: ADMIN.password }), 4, /^error: UNREACHABLE: cannot reach/);
    assertFails(await gatehouse(['keys', 'lst']), 2, /unknown command keys lst/);
    assertFails(await gatehouse(['keys', 'list', '--bogus']), 2, /--bogus/);
    assertFails(await gatehouse(['keys', 'retire']), 2, /missing argument/);
    assertFails(await gatehouse(['frobnicate']), 2, /unknown command frobnicate/);
    assertFails(await gatehouse(['login', '--url', server!.url]), 2, /--email or --client-id/);
  });

  it('login with a wrong password: exit 3 with the API\'s code; with the right one: tokens in a 0600 file', async () => {
    const url = server!.url;
    assertFails(await gatehouse(['login', '--email', ADMIN.email, '--password-stdin', '--url', url], { input: 'not the password at all' }), 3, /^error: INVALID_CREDENTIALS: /);

    const run = await gatehouse(['login', '--email', ADMIN.email, '--password-stdin', '--url', url], { input: `${ADMIN.password}\n` });
    assertOk(run);
    assert.match(run.stdout, new RegExp(`logged in to ${url} as ${ADMIN.email}`));
    assert.equal((await stat(credentialsFile())).mode & 0o777, 0o600);
    assert.equal((await stat(configDir)).mode & 0o777, 0o700);
    const stored = await readFile(credentialsFile(), 'utf8');
    assert.ok(!stored.includes(ADMIN.password), 'password stored');
    assert.equal(JSON.parse(stored).url, url);
  });

  it('keys list, rotate and retire: tables, --json, and one-line refusals', async () => {
    const table = await gatehouse(['keys', 'list']);
    assertOk(table);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^KID\s+ALG\s+USE\s+STATUS\s+CREATED$/);
    assert.equal(lines.length, 3);
    const before = await keys();
    assert.deepEqual(before.map((k) => k.status), ['active', 'active']);

    const rotated = await gatehouse(['keys', 'rotate', '--json']);
    assertOk(rotated);
    const created = (JSON.parse(rotated.stdout) as { items: KeyItem[] }).items;
    assert.deepEqual(created.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const after = await keys();
    assert.equal(after.length, 4);
    // The server signs with the new keys at once: the JWKS has them.
    const jwks = (await (await fetch(`${server!.url}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> };
    for (const key of created) assert.ok(jwks.keys.some((k) => k.kid === key.kid));

    const active = created[0]!.kid;
    assertFails(await gatehouse(['keys', 'retire', active]), 1, new RegExp(`^error: KEY_ACTIVE: .*${active}`));
    assertFails(await gatehouse(['keys', 'retire', 'no-such-kid']), 1, /^error: NOT_FOUND: /);

    // Retiring the ES256 key that signed the CLI's own access token: the next
    // command is refused once, refreshes its tokens, and goes on.
    const oldAccessKey = before.find((k) => k.alg === 'ES256')!.kid;
    const tokenBefore = JSON.parse(await readFile(credentialsFile(), 'utf8')).access_token as string;
    const retired = await gatehouse(['keys', 'retire', oldAccessKey]);
    assertOk(retired);
    assert.equal(retired.stdout.trim(), `retired ${oldAccessKey}`);
    assert.ok(!(await keys()).some((k) => k.kid === oldAccessKey));
    assert.notEqual(JSON.parse(await readFile(credentialsFile(), 'utf8')).access_token, tokenBefore);
    assert.equal((await stat(credentialsFile())).mode & 0o777, 0o600);
  });

  it('refreshes an expired access token with the refresh token', async () => {
    const stored = JSON.parse(await readFile(credentialsFile(), 'utf8')) as Record<string, string>;
    await writeFile(credentialsFile(), JSON.stringify({ ...stored, expires_at: new Date(Date.now() - 60_000).toISOString() }), { mode: 0o600 });
    assertOk(await gatehouse(['keys', 'list']));
    const refreshed = JSON.parse(await readFile(credentialsFile(), 'utf8')) as Record<string, string>;
    assert.notEqual(refreshed.access_token, stored.access_token);
    assert.notEqual(refreshed.refresh_token, stored.refresh_token);
    assert.ok(Date.parse(refreshed.expires_at!) > Date.now());
  });

  it('a non-admin is refused with the API\'s FORBIDDEN, exit 1', async () => {
    const other = join(dir.path, 'config-user');
    const register = await fetch(`${server!.url}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER),
    });
    assert.equal(register.status, 201);
    const env = { GATEHOUSE_CONFIG_DIR: other };
    assertOk(await gatehouse(['login', '--email', USER.email, '--password-stdin', '--url', server!.url], { input: USER.password, env }));
    assertFails(await gatehouse(['keys', 'rotate'], { env }), 1, /^error: FORBIDDEN: /);
  });

  it('login with client credentials stores a token for the API (never the secret); a wrong secret is exit 3', async () => {
    const env = { GATEHOUSE_CONFIG_DIR: join(dir.path, 'config-client') };
    const url = server!.url;
    assertFails(
      await gatehouse(['login', '--client-id', SERVICE.client_id, '--client-secret', 'wrong-secret-0123456789', '--url', url], { env }),
      3, /^error: invalid_client: /,
    );
    const run = await gatehouse(['login', '--client-id', SERVICE.client_id, '--client-secret-stdin', '--url', url, '--json'], { input: SERVICE.client_secret, env });
    assertOk(run);
    assert.equal(JSON.parse(run.stdout).method, 'client_credentials');
    const file = join(env.GATEHOUSE_CONFIG_DIR, 'credentials.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const stored = await readFile(file, 'utf8');
    assert.ok(!stored.includes(SERVICE.client_secret), 'client secret stored');
    const token = JSON.parse(stored).access_token as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { aud: string; client_id: string };
    assert.equal(claims.aud, `${url}/api`);
    assert.equal(claims.client_id, SERVICE.client_id);
  });

  it('logout forgets the tokens', async () => {
    const run = await gatehouse(['logout']);
    assertOk(run);
    await assert.rejects(stat(credentialsFile()));
    assertFails(await gatehouse(['keys', 'list', '--url', server!.url]), 3, /not logged in/);
  });
});
