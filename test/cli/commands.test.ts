// What only a stand-in server can show about the `gatehouse` CLI: answers a
// real Gatehouse never gives (a body that is not JSON, a proxy's error page, a
// message over several lines, a session ended under a stored token) and the
// second-factor login, whose routes this server does not have yet. Every
// command against the real routes runs as a process in test/process/cli.test.ts
// and test/process/cli-admin.test.ts.
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

/** JSON `body`, or `raw` text as it is (what a proxy or another service would send). */
type Answer = { status: number; body?: unknown; raw?: string };

const ADMIN_USER = {
  id: 'u1', email: 'ann@example.com', email_verified: true, name: 'Ann', picture: null, role: 'admin', permissions: ['admin:users:read'],
  created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', disabled: false, locked: false, mfa: [], last_sign_in_at: null,
};

describe('gatehouse CLI against a stand-in server', function () {
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
        const { status, body, raw: text } = answer(recorded);
        if (text !== undefined) {
          res.writeHead(status, { 'content-type': 'text/html' });
          res.end(text);
          return;
        }
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

  it('a body that is not JSON: one line naming it, exit 1, whatever the status', async () => {
    answer = () => ({ status: 200, raw: '<html>a login page</html>' });
    const page = await run(['users', 'list']);
    assert.equal(page.code, 1);
    assert.equal(page.stderr, 'error: BAD_RESPONSE: the server did not answer JSON (is --url a Gatehouse server?)\n');
    assert.equal(page.stdout, '');

    answer = () => ({ status: 200, raw: '{"items": [' });
    const cut = await run(['roles', 'list', '--json']);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /^error: BAD_RESPONSE: /);

    // A 202 carries no body in the contract, whatever text comes with it.
    answer = () => ({ status: 202, raw: 'Accepted' });
    const reset = await run(['users', 'reset-password', 'u1']);
    assert.equal(reset.code, 0, reset.stderr);

    answer = () => ({ status: 502, raw: '<html>Bad Gateway</html>' });
    const proxy = await run(['clients', 'show', 'web']);
    assert.equal(proxy.code, 1);
    assert.equal(proxy.stderr, 'error: HTTP_502: Bad Gateway\n');
  });

  it('an error message over several lines is printed on one; a 401 under a stored token is exit 3', async () => {
    answer = () => ({ status: 409, body: { error: { code: 'LAST_ADMIN', message: 'It would leave\nno admin.' } } });
    const last = await run(['users', 'disable', 'u1']);
    assert.equal(last.code, 1);
    assert.equal(last.stderr, 'error: LAST_ADMIN: It would leave no admin.\n');
    assert.equal(only().authorization, 'Bearer the-access-token');

    // No refresh token stored: the refused token cannot be renewed.
    answer = () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'The session has ended.' } } });
    const ended = await run(['users', 'list']);
    assert.equal(ended.code, 3);
    assert.equal(ended.stderr, 'error: UNAUTHENTICATED: The session has ended.\n');
  });

  it('usage errors send nothing: a bad flag value, a --file that is missing or not an object', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['users', 'update', 'u1', '--verified', 'maybe'], /--verified must be true or false/],
      [['clients', 'create', '--file', join(configDir, 'missing.json')], /--file .*missing\.json/],
      [['clients', 'update', 'web'], /nothing to change/],
      [['roles', 'update', 'auditor'], /nothing to change/],
      [['clients', 'rotate-secret', 'web', '--previous-valid-for', 'soon'], /--previous-valid-for must be a whole number/],
    ];
    const list = join(configDir, 'list.json');
    await writeFile(list, '[]');
    cases.push([['clients', 'create', '--file', list], /not a JSON object/]);
    for (const [args, pattern] of cases) {
      const res = await run(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, pattern);
    }
    assert.equal(requests.length, 0, 'a usage error sends nothing');
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
