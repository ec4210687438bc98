// The `gatehouse` admin command groups (users, roles, clients, audit) as real
// processes against one real spawned server, with mail going to a real SMTP
// listener: each command's request reaches the real route, its answer is
// printed as a table or as JSON, and refusals are one line and exit 1. One
// password login (argon2 is slow) serves the whole file; a service client
// with the admin role logs in by client credentials at the end.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { NODE_BIN, REPO_ROOT, runNode, spawnServer, tempDir, type Run, type SpawnedServer } from '../support/spawn-server.ts';

const PROCESS_TIMEOUT_MS = 180_000;
const ADMIN = { email: 'root@example.com', password: 'a long admin passphrase' };

function assertOk(run: Run): void {
  assert.equal(run.code, 0, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
}

/** One line on stderr matching `pattern`, nothing on stdout, no stack trace, the exit code given. */
function assertFails(run: Run, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit ${run.code ?? run.signal}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.equal(run.stdout, '');
}

/** A table's rows as cells (split on runs of two or more spaces), header first. */
const tableRows = (stdout: string) => stdout.trim().split('\n').map((line) => line.split(/ {2,}/));

interface AdminUser { id: string; email: string; name: string | null; role: string; disabled: boolean; locked: boolean; email_verified: boolean }
interface AuditEvent { id: string; type: string; result: string; reason: string | null; actor: { type: string; id: string | null }; subject_id: string | null }

describe('gatehouse CLI admin commands against a real server', function () {
  this.timeout(4 * PROCESS_TIMEOUT_MS);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let configDir: string;
  let smtp: SmtpCapture;
  let server: SpawnedServer;
  let adminId: string;

  const gatehouse = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runNode(['src/cli/gatehouse.ts', ...args], { GATEHOUSE_CONFIG_DIR: configDir, ...options.env }, PROCESS_TIMEOUT_MS, options.input);
  const json = async <T>(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<T> => {
    const run = await gatehouse([...args, '--json'], options);
    assertOk(run);
    return JSON.parse(run.stdout) as T;
  };
  const signIn = (email: string, password: string) =>
    fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const tokenWith = (clientId: string, secret: string) =>
    fetch(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${server.url}/api`, scope: 'api' }),
    });
  const auditEvents = async (query: string[] = []) => {
    const run = await gatehouse(['audit', 'tail', '--limit', '200', '--json', ...query]);
    assertOk(run);
    return run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
  };

  before(async () => {
    dir = await tempDir('gatehouse-cli-admin-');
    dataDir = join(dir.path, 'data');
    configDir = join(dir.path, 'config');
    smtp = await startSmtpCapture();
    const created = await runNode(['src/cli/gatehouse.ts', 'create-admin', '--email', ADMIN.email, '--json'], { DATA_DIR: dataDir }, PROCESS_TIMEOUT_MS, ADMIN.password);
    assertOk(created);
    adminId = (JSON.parse(created.stdout) as { id: string }).id;
    server = await spawnServer({
      dataDir,
      // Sign-up closed: administrators still create accounts (API.md, REGISTRATION_ENABLED).
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'gatehouse@example.com', REQUIRE_EMAIL_VERIFICATION: 'false', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '2', REGISTRATION_ENABLED: 'false' },
      readyTimeoutMs: PROCESS_TIMEOUT_MS,
    });
    assertOk(await gatehouse(['login', '--email', ADMIN.email, '--password-stdin', '--url', server.url], { input: ADMIN.password }));
  });
  after(async () => {
    await server?.stop();
    await smtp?.close();
    await dir?.remove();
  });

  it('roles list, create, update, delete; the built-in roles refuse with ROLE_BUILT_IN, exit 1', async () => {
    const listed = await gatehouse(['roles', 'list']);
    assertOk(listed);
    const rows = tableRows(listed.stdout);
    assert.deepEqual(rows[0], ['NAME', 'PERMISSIONS', 'DESCRIPTION']);
    const admin = rows.find((r) => r[0] === 'admin');
    assert.ok(admin, listed.stdout);
    assert.match(admin[1]!, /admin:users:read/);
    assert.ok(rows.some((r) => r[0] === 'user'), listed.stdout);

    const created = await json<{ name: string; description: string; permissions: string[] }>(
      ['roles', 'create', 'auditor', '--permissions', 'admin:audit:read,admin:users:read', '--description', 'Reads the logs'],
    );
    assert.deepEqual(created, { name: 'auditor', description: 'Reads the logs', permissions: ['admin:audit:read', 'admin:users:read'] });
    assertFails(await gatehouse(['roles', 'create', 'auditor', '--permissions', 'admin:audit:read']), 1, /^error: ROLE_EXISTS: /);

    const updated = await gatehouse(['roles', 'update', 'auditor', '--permissions', 'admin:audit:read', '--permissions', 'reports:read']);
    assertOk(updated);
    assert.deepEqual(tableRows(updated.stdout).find((r) => r[0] === 'permissions'), ['permissions', 'admin:audit:read,reports:read']);
    const { items } = await json<{ items: Array<{ name: string; permissions: string[] }> }>(['roles', 'list']);
    assert.deepEqual(items.find((r) => r.name === 'auditor')?.permissions, ['admin:audit:read', 'reports:read']);

    assertFails(await gatehouse(['roles', 'update', 'admin', '--description', 'mine now']), 1, /^error: ROLE_BUILT_IN: /);
    assertFails(await gatehouse(['roles', 'delete', 'user']), 1, /^error: ROLE_BUILT_IN: /);
    assertFails(await gatehouse(['roles', 'delete', 'no-such-role']), 1, /^error: ROLE_NOT_FOUND: /);

    const deleted = await gatehouse(['roles', 'delete', 'auditor']);
    assertOk(deleted);
    assert.equal(deleted.stdout.trim(), 'deleted role auditor');
    assert.ok(!(await json<{ items: Array<{ name: string }> }>(['roles', 'list'])).items.some((r) => r.name === 'auditor'));
  });

  it('users create (with a password, and by invitation mail), list, show, update, disable, enable', async () => {
    const ann = await json<AdminUser>(['users', 'create', '--email', 'ann@example.com', '--name', 'Ann', '--verified', 'true', '--password-stdin'], {
      input: 'ann has a long passphrase\n',
    });
    assert.deepEqual([ann.email, ann.name, ann.role, ann.email_verified, ann.disabled], ['ann@example.com', 'Ann', 'user', true, false]);
    assert.equal((await signIn('ann@example.com', 'ann has a long passphrase')).status, 200);
    const selfService = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'self@example.com', password: 'self has a long passphrase' }),
    });
    assert.equal(selfService.status, 403, 'sign-up is closed on this server, yet the CLI created ann');
    assert.equal(((await selfService.json()) as { error: { code: string } }).error.code, 'REGISTRATION_DISABLED');
    assertFails(await gatehouse(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], { input: 'another long passphrase' }), 1, /^error: EMAIL_EXISTS: /);
    assertFails(await gatehouse(['users', 'create', '--email', 'x@example.com', '--role', 'no-such-role']), 1, /^error: ROLE_NOT_FOUND: /);

    const invited = await gatehouse(['users', 'create', '--email', 'bob@example.com']);
    assertOk(invited);
    assert.deepEqual(tableRows(invited.stdout).find((r) => r[0] === 'email'), ['email', 'bob@example.com']);
    const invitation = await smtp.waitFor((m) => m.rcptTo.includes('bob@example.com'), PROCESS_TIMEOUT_MS);
    assert.match(invitation.subject, /account is ready/);
    assert.match(invitation.text ?? '', /https?:\/\/\S+/);

    const table = await gatehouse(['users', 'list', '--q', 'example.com']);
    assertOk(table);
    const rows = tableRows(table.stdout);
    assert.deepEqual(rows[0], ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'CREATED']);
    const annRow = rows.find((r) => r[1] === 'ann@example.com');
    assert.deepEqual(annRow?.slice(0, 5), [ann.id, 'ann@example.com', 'Ann', 'user', 'active']);
    assert.equal(rows.find((r) => r[1] === 'bob@example.com')?.[2], '-');

    const page = await json<{ items: AdminUser[]; next_cursor: string | null }>(['users', 'list', '--limit', '1']);
    assert.equal(page.items.length, 1);
    assert.equal(typeof page.next_cursor, 'string');
    const all = await json<{ items: AdminUser[]; next_cursor: null }>(['users', 'list', '--limit', '1', '--all']);
    assert.deepEqual(all.items.map((u) => u.email).sort(), ['ann@example.com', 'bob@example.com', ADMIN.email]);
    assert.equal(all.next_cursor, null);
    const more = await gatehouse(['users', 'list', '--limit', '1']);
    assert.match(more.stderr, /^more: --cursor \S+ \(or --all\)$/m);

    const shown = await gatehouse(['users', 'show', ann.id]);
    assertOk(shown);
    assert.deepEqual(tableRows(shown.stdout).find((r) => r[0] === 'id'), ['id', ann.id]);
    assertFails(await gatehouse(['users', 'show', 'no-such-user']), 1, /^error: USER_NOT_FOUND: /);

    const updated = await json<AdminUser>(['users', 'update', ann.id, '--name', 'Ann Admin', '--role', 'admin', '--verified', 'false']);
    assert.deepEqual([updated.name, updated.role, updated.email_verified], ['Ann Admin', 'admin', false]);

    const disabled = await json<AdminUser>(['users', 'disable', ann.id]);
    assert.equal(disabled.disabled, true);
    const listedDisabled = await json<{ items: AdminUser[] }>(['users', 'list', '--status', 'disabled']);
    assert.deepEqual(listedDisabled.items.map((u) => u.id), [ann.id]);
    assert.equal((await signIn('ann@example.com', 'ann has a long passphrase')).status, 403);
    assert.equal((await json<AdminUser>(['users', 'enable', ann.id])).disabled, false);
    assert.equal((await signIn('ann@example.com', 'ann has a long passphrase')).status, 200);

    // The last enabled admin cannot be disabled: once Ann is a user again, root is the only one.
    assertOk(await gatehouse(['users', 'update', ann.id, '--role', 'user']));
    assertFails(await gatehouse(['users', 'disable', adminId]), 1, /^error: LAST_ADMIN: /);
  });

  it('users reset-password mails a link; unlock lifts a lock; delete removes the account', async () => {
    const carl = await json<AdminUser>(['users', 'create', '--email', 'carl@example.com', '--password-stdin'], { input: 'carl has a long passphrase' });

    const reset = await gatehouse(['users', 'reset-password', carl.id]);
    assertOk(reset);
    assert.equal(reset.stdout.trim(), `reset mail sent to ${carl.id}`);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('carl@example.com'), PROCESS_TIMEOUT_MS);
    assert.match(mail.text ?? '', /https?:\/\/\S+/);

    // Two failures (RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT=2) lock the account for this IP.
    for (let i = 0; i < 2; i++) assert.equal((await signIn('carl@example.com', 'not carl\'s passphrase')).status, 401);
    assert.equal((await signIn('carl@example.com', 'carl has a long passphrase')).status, 429);
    const locked = await gatehouse(['users', 'list', '--status', 'locked']);
    assertOk(locked);
    assert.deepEqual(tableRows(locked.stdout).slice(1).map((r) => [r[1], r[4]]), [['carl@example.com', 'locked']]);
    const unlocked = await gatehouse(['users', 'unlock', carl.id, '--json']);
    assertOk(unlocked);
    assert.deepEqual(JSON.parse(unlocked.stdout), { unlocked: carl.id });
    assert.equal((await signIn('carl@example.com', 'carl has a long passphrase')).status, 200);

    const deleted = await gatehouse(['users', 'delete', carl.id]);
    assertOk(deleted);
    assert.equal(deleted.stdout.trim(), `deleted ${carl.id}`);
    assertFails(await gatehouse(['users', 'show', carl.id]), 1, /^error: USER_NOT_FOUND: /);
    assertFails(await gatehouse(['users', 'delete', carl.id]), 1, /^error: USER_NOT_FOUND: /);
  });

  it('clients create, list, show, update, rotate-secret, delete: a secret printed once, and the new one works at the token endpoint', async () => {
    const created = await gatehouse(['clients', 'create', '--id', 'ops-bot', '--name', 'Ops bot', '--grant-type', 'client_credentials', '--api-access', '--role', 'admin']);
    assertOk(created);
    const secret = /^client_secret: (\S+) {2}\(shown once: store it now\)$/m.exec(created.stdout)?.[1];
    assert.ok(secret, created.stdout);
    assert.deepEqual(tableRows(created.stdout).find((r) => r[0] === 'role'), ['role', 'admin']);
    assert.equal((await tokenWith('ops-bot', secret)).status, 200);
    assertFails(await gatehouse(['clients', 'create', '--id', 'ops-bot', '--grant-type', 'client_credentials']), 1, /^error: CLIENT_EXISTS: /);
    assertFails(await gatehouse(['clients', 'create', '--id', 'bad', '--redirect-uri', 'not a url']), 1, /^error: INVALID_CLIENT_METADATA: /);

    const listed = await gatehouse(['clients', 'list']);
    assertOk(listed);
    const rows = tableRows(listed.stdout);
    assert.deepEqual(rows[0], ['CLIENT_ID', 'NAME', 'SOURCE', 'GRANT_TYPES', 'ROLE']);
    assert.deepEqual(rows.find((r) => r[0] === 'ops-bot'), ['ops-bot', 'Ops bot', 'api', 'client_credentials', 'admin']);

    const shown = await gatehouse(['clients', 'show', 'ops-bot', '--json']);
    assertOk(shown);
    assert.ok(!shown.stdout.includes(secret), 'the secret is shown again');
    const client = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.equal(client.client_secret, undefined);
    assert.equal(client.source, 'api');

    const updated = await json<{ client_name: string; role: string }>(['clients', 'update', 'ops-bot', '--name', 'Operations bot']);
    assert.deepEqual([updated.client_name, updated.role], ['Operations bot', 'admin']);
    assertFails(await gatehouse(['clients', 'update', 'gatehouse', '--name', 'mine']), 1, /^error: CLIENT_MANAGED_BY_FILE: /);

    const rotated = await json<{ client_secret: string; previous_secret_expires_at: string | null }>(['clients', 'rotate-secret', 'ops-bot']);
    assert.notEqual(rotated.client_secret, secret);
    assert.equal(rotated.previous_secret_expires_at, null);
    assert.equal((await tokenWith('ops-bot', rotated.client_secret)).status, 200);
    assert.equal((await tokenWith('ops-bot', secret)).status, 401);
    const human = await gatehouse(['clients', 'rotate-secret', 'ops-bot', '--previous-valid-for', '3600']);
    assertOk(human);
    const newest = /^client_secret: (\S+) {2}\(shown once: store it now\)$/m.exec(human.stdout)?.[1];
    assert.ok(newest, human.stdout);
    assert.match(human.stdout, /^previous secret valid until: \d{4}-\d\d-\d\dT/m);
    // During the overlap both the previous and the newest secret work.
    assert.equal((await tokenWith('ops-bot', rotated.client_secret)).status, 200);
    assert.equal((await tokenWith('ops-bot', newest)).status, 200);

    // A service client with the admin role logs in by client credentials and uses the admin API.
    const env = { GATEHOUSE_CONFIG_DIR: join(dir.path, 'config-ops-bot') };
    assertOk(await gatehouse(['login', '--client-id', 'ops-bot', '--client-secret-stdin', '--url', server.url], { input: newest, env }));
    const users = await json<{ items: AdminUser[] }>(['users', 'list'], { env });
    assert.ok(users.items.some((u) => u.email === ADMIN.email));
    const events = await auditEvents(['--type', 'admin.adminListUsers', '--result', 'success']);
    assert.deepEqual(events.at(-1)?.actor, { type: 'client', id: 'ops-bot' });

    // Metadata from --file with flags on top: --public makes a public client, which has no secret to print.
    const file = join(dir.path, 'spa.json');
    await writeFile(file, JSON.stringify({ client_id: 'doomed', client_name: 'From the file', redirect_uris: ['http://127.0.0.1:8080/cb'] }));
    const spa = await gatehouse(['clients', 'create', '--file', file, '--name', 'Single page', '--public']);
    assertOk(spa);
    assert.doesNotMatch(spa.stdout, /client_secret/);
    const shownSpa = await json<Record<string, unknown>>(['clients', 'show', 'doomed']);
    assert.deepEqual([shownSpa.client_name, shownSpa.token_endpoint_auth_method, shownSpa.redirect_uris], ['Single page', 'none', ['http://127.0.0.1:8080/cb']]);
    const deleted = await gatehouse(['clients', 'delete', 'doomed']);
    assertOk(deleted);
    assert.equal(deleted.stdout.trim(), 'deleted client doomed');
    assertFails(await gatehouse(['clients', 'show', 'doomed']), 1, /^error: CLIENT_NOT_FOUND: /);
  });

  it('audit tail shows the calls just made, oldest first; --follow prints an event that happens while it runs', async () => {
    assertFails(await gatehouse(['roles', 'delete', 'admin']), 1, /^error: ROLE_BUILT_IN: /);
    const table = await gatehouse(['audit', 'tail', '--limit', '3']);
    assertOk(table);
    const rows = tableRows(table.stdout);
    assert.deepEqual(rows[0], ['AT', 'TYPE', 'RESULT', 'ACTOR', 'SUBJECT', 'CLIENT', 'IP', 'REASON']);
    const last = rows.at(-1)!;
    assert.deepEqual([last[1], last[2], last[3]], ['admin.adminDeleteRole', 'failure', `user:${adminId}`]);
    assert.equal(last.at(-1), 'ROLE_BUILT_IN');
    const events = await auditEvents();
    assert.ok(events.some((e) => e.type === 'admin.adminCreateRole' && e.result === 'success'), 'role creation not audited');
    assert.ok(events.some((e) => e.type === 'admin.adminRotateClientSecret' && e.subject_id === 'ops-bot'), 'rotation not audited');

    // --follow: the newest page, then whatever happens next, until stopped.
    const child = spawn(NODE_BIN, ['src/cli/gatehouse.ts', 'audit', 'tail', '--follow', '--interval', '1', '--limit', '1', '--json'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, GATEHOUSE_CONFIG_DIR: configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const followed = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent);
    const waitFor = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + PROCESS_TIMEOUT_MS;
      while (!done()) {
        assert.equal(child.exitCode, null, `audit tail --follow exited: ${stderr}`);
        assert.ok(Date.now() < deadline, `${what} never printed; stdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor('the first page', () => followed().length === 1);
      assert.equal(followed()[0]!.type, 'admin.listAuditEvents');
      assertOk(await gatehouse(['roles', 'create', 'watched', '--permissions', 'reports:read']));
      await waitFor('the new event', () => followed().some((e) => e.type === 'admin.adminCreateRole' && e.result === 'success'));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    assert.equal(stderr, '');
    // Each event once, though every poll overlaps the one before.
    const ids = followed().map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});
