// The admin commands of the `gatehouse` CLI against API.md's contract: each
// command sends the request the contract names (method, path, query, body,
// bearer) and prints the answer. The server here is a stand-in that records
// requests and answers in the contract's shapes, because the users, roles,
// clients and audit routes live on other branches; the commands that the
// server on this branch serves (login, keys, create-admin) run as real
// processes against it in test/process/cli.test.ts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/gatehouse.ts';
import { writeCredentials } from '../../src/cli/credentials.ts';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

type Answer = { status: number; body?: unknown };

const ADMIN_USER = {
  id: 'u1', email: 'ann@example.com', email_verified: true, name: 'Ann', picture: null, role: 'admin', permissions: ['admin:users:read'],
  created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', disabled: false, locked: false, mfa: [], last_sign_in_at: null,
};

describe('gatehouse admin commands, by the API.md contract', function () {
  let server: Server;
  let url: string;
  let configDir: string;
  let requests: Recorded[];
  let answer: (r: Recorded) => Answer;

  before(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-contract-'));
    server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8').on('data', (c: string) => (raw += c)).on('end', () => {
        const target = new URL(req.url!, 'http://x');
        const recorded: Recorded = {
          method: req.method!,
          path: target.pathname,
          query: Object.fromEntries(target.searchParams),
          body: raw ? JSON.parse(raw) : undefined,
          authorization: req.headers.authorization,
        };
        requests.push(recorded);
        const { status, body } = answer(recorded);
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await writeCredentials(
      { url, method: 'password', subject: 'ann@example.com', access_token: 'the-access-token', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
      { GATEHOUSE_CONFIG_DIR: configDir },
    );
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(configDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    requests = [];
    answer = () => ({ status: 204 });
  });

  async function run(args: string[], input = '', env: NodeJS.ProcessEnv = { GATEHOUSE_CONFIG_DIR: configDir }): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await main(args, { env, stdin: Readable.from([input]), stdout, stderr });
    return { code, stdout: out, stderr: err };
  }

  const only = () => {
    assert.equal(requests.length, 1, JSON.stringify(requests));
    assert.equal(requests[0]!.authorization, 'Bearer the-access-token');
    return requests[0]!;
  };

  it('users list: the filters as query parameters, a table, and the next cursor on stderr', async () => {
    answer = () => ({ status: 200, body: { items: [ADMIN_USER, { ...ADMIN_USER, id: 'u2', email: 'bob@example.com', role: 'user', locked: true }], next_cursor: 'c2' } });
    const res = await run(['users', 'list', '--status', 'locked', '--role', 'user', '--q', 'ex', '--limit', '2']);
    assert.equal(res.code, 0, res.stderr);
    const req = only();
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/api/v1/admin/users');
    assert.deepEqual(req.query, { status: 'locked', role: 'user', q: 'ex', limit: '2' });
    const lines = res.stdout.trim().split('\n');
    assert.match(lines[0]!, /^ID\s+EMAIL\s+NAME\s+ROLE\s+STATUS\s+CREATED$/);
    assert.match(lines[2]!, /^u2\s+bob@example\.com\s+Ann\s+user\s+locked\s/);
    assert.match(res.stderr, /--cursor c2/);
  });

  it('users list --all walks every page; --json prints the API\'s shape', async () => {
    answer = (r) => ({ status: 200, body: r.query.cursor ? { items: [{ ...ADMIN_USER, id: 'u2' }], next_cursor: null } : { items: [ADMIN_USER], next_cursor: 'c2' } });
    const res = await run(['users', 'list', '--all', '--json']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(requests.map((r) => r.query.cursor), [undefined, 'c2']);
    const body = JSON.parse(res.stdout) as { items: Array<{ id: string }>; next_cursor: null };
    assert.deepEqual(body.items.map((u) => u.id), ['u1', 'u2']);
    assert.equal(body.next_cursor, null);
  });

  it('users create, update, disable, enable, delete, reset-password, unlock: the contract\'s requests', async () => {
    answer = (r) => (r.method === 'POST' && r.path === '/api/v1/admin/users' ? { status: 201, body: ADMIN_USER } : r.method === 'PATCH' ? { status: 200, body: ADMIN_USER } : { status: 204 });
    const cases: Array<[string[], string, string, unknown]> = [
      [['users', 'create', '--email', 'c@example.com', '--name', 'C', '--role', 'admin', '--verified', 'true', '--password-stdin'], 'POST', '/api/v1/admin/users',
        { email: 'c@example.com', name: 'C', role: 'admin', email_verified: true, password: 'a fine passphrase' }],
      [['users', 'create', '--email', 'd@example.com'], 'POST', '/api/v1/admin/users', { email: 'd@example.com' }],
      [['users', 'update', 'u 1', '--name', 'New', '--verified', 'false'], 'PATCH', '/api/v1/admin/users/u%201', { name: 'New', email_verified: false }],
      [['users', 'disable', 'u1'], 'PATCH', '/api/v1/admin/users/u1', { disabled: true }],
      [['users', 'enable', 'u1'], 'PATCH', '/api/v1/admin/users/u1', { disabled: false }],
      [['users', 'delete', 'u1'], 'DELETE', '/api/v1/admin/users/u1', undefined],
      [['users', 'reset-password', 'u1'], 'POST', '/api/v1/admin/users/u1/password-reset', undefined],
      [['users', 'unlock', 'u1'], 'POST', '/api/v1/admin/users/u1/unlock', undefined],
    ];
    for (const [args, method, path, body] of cases) {
      requests = [];
      const res = await run(args, 'a fine passphrase\n');
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
      const req = only();
      assert.deepEqual([req.method, req.path, req.body], [method, path, body], args.join(' '));
    }
  });

  it('an API error is one stderr line `error: CODE: message` and exit 1; 401 is exit 3', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'USER_NOT_FOUND', message: 'No such user.', request_id: 'r1' } } });
    const missing = await run(['users', 'show', 'nobody']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: USER_NOT_FOUND: No such user.\n');
    assert.equal(missing.stdout, '');

    answer = () => ({ status: 409, body: { error: { code: 'LAST_ADMIN', message: 'It would leave\nno admin.' } } });
    const last = await run(['users', 'disable', 'u1']);
    assert.equal(last.code, 1);
    assert.equal(last.stderr, 'error: LAST_ADMIN: It would leave no admin.\n');

    answer = () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'The session has ended.' } } });
    const ended = await run(['users', 'list']);
    assert.equal(ended.code, 3);
    assert.equal(ended.stderr, 'error: UNAUTHENTICATED: The session has ended.\n');

    requests = [];
    const usage = await run(['users', 'update', 'u1', '--verified', 'maybe']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--verified must be true or false/);
    assert.equal(requests.length, 0, 'a usage error sends nothing');
  });

  it('roles list, create, update, delete', async () => {
    const role = { name: 'auditor', description: 'Reads', permissions: ['admin:audit:read', 'admin:users:read'] };
    answer = (r) => (r.method === 'GET' ? { status: 200, body: { items: [role] } } : r.method === 'POST' ? { status: 201, body: role } : r.method === 'PATCH' ? { status: 200, body: role } : { status: 204 });
    const listed = await run(['roles', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /auditor\s+admin:audit:read,admin:users:read\s+Reads/);
    const cases: Array<[string[], string, string, unknown]> = [
      [['roles', 'create', 'auditor', '--permissions', 'admin:audit:read,admin:users:read', '--description', 'Reads'], 'POST', '/api/v1/admin/roles',
        { name: 'auditor', permissions: ['admin:audit:read', 'admin:users:read'], description: 'Reads' }],
      [['roles', 'update', 'auditor', '--permissions', 'a', '--permissions', 'b'], 'PATCH', '/api/v1/admin/roles/auditor', { permissions: ['a', 'b'] }],
      [['roles', 'delete', 'auditor'], 'DELETE', '/api/v1/admin/roles/auditor', undefined],
    ];
    for (const [args, method, path, body] of cases) {
      requests = [];
      const res = await run(args);
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
      const req = only();
      assert.deepEqual([req.method, req.path, req.body], [method, path, body], args.join(' '));
    }
  });

  it('clients create (flags and --file), update, delete, rotate-secret; a new secret is printed once', async () => {
    const client = { client_id: 'web', client_name: 'Web', source: 'api', grant_types: ['authorization_code'], created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' };
    answer = (r) =>
      r.path.endsWith('/secrets') ? { status: 201, body: { client_secret: 'new-secret', previous_secret_expires_at: '2026-01-02T00:00:00.000Z' } }
        : r.method === 'POST' ? { status: 201, body: { ...client, client_secret: 'first-secret' } }
          : r.method === 'PATCH' ? { status: 200, body: client } : { status: 204 };

    const created = await run(['clients', 'create', '--id', 'web', '--name', 'Web', '--redirect-uri', 'https://a.example/cb', '--redirect-uri', 'https://b.example/cb',
      '--grant-type', 'authorization_code,refresh_token', '--api-access', '--role', 'svc']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(only().body, {
      client_id: 'web', client_name: 'Web', redirect_uris: ['https://a.example/cb', 'https://b.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'], role: 'svc', api_access: true,
    });
    assert.match(created.stdout, /client_secret: first-secret/);

    const file = join(configDir, 'client.json');
    await writeFile(file, JSON.stringify({ client_name: 'From file', redirect_uris: ['https://c.example/cb'] }));
    requests = [];
    const updated = await run(['clients', 'update', 'web', '--file', file, '--public']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual([only().method, only().path, only().body], ['PATCH', '/api/v1/admin/clients/web',
      { client_name: 'From file', redirect_uris: ['https://c.example/cb'], token_endpoint_auth_method: 'none' }]);

    requests = [];
    const rotated = await run(['clients', 'rotate-secret', 'web', '--previous-valid-for', '3600', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.deepEqual([only().method, only().path, only().body], ['POST', '/api/v1/admin/clients/web/secrets', { previous_secret_valid_for: 3600 }]);
    assert.equal(JSON.parse(rotated.stdout).client_secret, 'new-secret');

    requests = [];
    assert.equal((await run(['clients', 'delete', 'web'])).code, 0);
    assert.deepEqual([only().method, only().path], ['DELETE', '/api/v1/admin/clients/web']);

    const badFile = await run(['clients', 'create', '--file', join(configDir, 'missing.json')]);
    assert.equal(badFile.code, 2);
  });

  it('audit tail: the newest page, printed oldest first; --json as JSON Lines', async () => {
    const event = (id: string, at: string) => ({
      id, at, type: 'sign_in', result: 'success', actor: { type: 'user', id: 'u1' }, subject_id: 'u1', client_id: null,
      session_id: null, ip: '127.0.0.1', user_agent: null, reason: null, details: {},
    });
    answer = () => ({ status: 200, body: { items: [event('e2', '2026-01-01T00:00:02.000Z'), event('e1', '2026-01-01T00:00:01.000Z')], next_cursor: null } });
    const res = await run(['audit', 'tail', '--limit', '5', '--type', 'sign_in', '--result', 'success']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual([only().path, only().query], ['/api/v1/admin/audit-events', { type: 'sign_in', result: 'success', limit: '5' }]);
    const lines = res.stdout.trim().split('\n');
    assert.match(lines[0]!, /^AT\s+TYPE\s+RESULT\s+ACTOR/);
    assert.match(lines[1]!, /^2026-01-01T00:00:01/);
    assert.match(lines[2]!, /^2026-01-01T00:00:02/);

    requests = [];
    const json = await run(['audit', 'tail', '--json']);
    assert.deepEqual(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), ['e1', 'e2']);
  });
  it('login with a second factor: MFA_REQUIRED, then /api/v1/auth/login/mfa with the token and --code', async () => {
    answer = (r) =>
      r.path === '/api/v1/auth/login'
        ? { status: 403, body: { error: { code: 'MFA_REQUIRED', message: 'A second factor is required.' }, mfa: { token: 'mfa-token', expires_in: 300, factors: [{ id: 'f1', type: 'totp' }] } } }
        : { status: 200, body: { access_token: 'after-mfa', token_type: 'Bearer', expires_in: 900, refresh_token: 'r', scope: 'api', user: ADMIN_USER } };
    const env = { GATEHOUSE_CONFIG_DIR: join(configDir, 'mfa') };
    const res = await run(['login', '--email', 'ann@example.com', '--password-stdin', '--code', '123456', '--url', url], 'a fine passphrase', env);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(requests.map((r) => [r.path, r.body]), [
      ['/api/v1/auth/login', { email: 'ann@example.com', password: 'a fine passphrase' }],
      ['/api/v1/auth/login/mfa', { mfa_token: 'mfa-token', code: '123456' }],
    ]);

    requests = [];
    const noCode = await run(['login', '--email', 'ann@example.com', '--password-stdin', '--url', url], 'a fine passphrase', env);
    assert.equal(noCode.code, 2);
    assert.match(noCode.stderr, /--code/);
  });
});
