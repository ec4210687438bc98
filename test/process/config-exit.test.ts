// A configuration the server must refuse stops `node src/main.ts` with exit
// code 1 and one line on stderr naming what is wrong: no stack trace for an
// operator to read through.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { runMain, tempDir } from '../support/spawn-server.ts';

const SECRET = 'a-client-secret-long-enough-0123456789abcdef';

/** Assert the process exited 1 with exactly one stderr line matching every pattern. */
function assertRefused(result: Awaited<ReturnType<typeof runMain>>, patterns: RegExp[]): void {
  assert.equal(result.code, 1, `exit ${result.code ?? result.signal}; stderr:\n${result.stderr}`);
  assert.ok(!result.stderr.includes('    at '), `stack trace on stderr:\n${result.stderr}`);
  assert.ok(!result.stdout.includes('    at '), `stack trace on stdout:\n${result.stdout}`);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`);
  for (const pattern of patterns) assert.match(lines[0]!, pattern);
}

describe('main.ts refuses a bad configuration', function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    dir = await tempDir('gatehouse-config-exit-');
  });
  after(async () => dir?.remove());

  /** Env for a start that would succeed but for the variable under test. */
  const base = (name: string) => ({ DATA_DIR: join(dir.path, name), PORT: '0', LOG_LEVEL: 'warn' });

  it('PORT=abc: exit 1, one line naming PORT', async function () {
    assertRefused(await runMain({ ...base('port'), PORT: 'abc' }), [/PORT/]);
  });

  it('PUBLIC_URL=ftp://x: exit 1, one line naming PUBLIC_URL', async function () {
    assertRefused(await runMain({ ...base('url'), PUBLIC_URL: 'ftp://x' }), [/PUBLIC_URL/]);
  });

  it('NODE_ENV=production without SMTP_URL: exit 1, one line naming SMTP_URL', async function () {
    assertRefused(await runMain({ ...base('smtp'), NODE_ENV: 'production' }), [/SMTP_URL/]);
  });

  it('NODE_ENV=production without ENCRYPTION_KEY: exit 1, one line naming ENCRYPTION_KEY', async function () {
    assertRefused(await runMain({ ...base('encryption'), NODE_ENV: 'production', SMTP_URL: 'smtp://u:p@127.0.0.1:2525' }), [/ENCRYPTION_KEY/]);
  });

  it('a leftover TRUST_PROXY: exit 1, one line saying to use TRUST_PROXY_HOPS', async function () {
    assertRefused(await runMain({ ...base('proxy'), TRUST_PROXY: 'true' }), [/TRUST_PROXY_HOPS/]);
  });

  it('NODE_ENV=production with an http PUBLIC_URL: exit 1, one line naming PUBLIC_URL', async function () {
    assertRefused(await runMain({ ...base('http'), NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525', PUBLIC_URL: 'http://id.example.com' }), [/PUBLIC_URL/, /https/]);
  });

  it('an ADMIN_PASSWORD the password policy refuses: exit 1, one line naming ADMIN_PASSWORD and the reason', async function () {
    assertRefused(await runMain({ ...base('admin'), ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'password12345678' }), [/ADMIN_PASSWORD/, /common word/]);
  });

  it('a CLIENTS_FILE that is not JSON: exit 1, one line naming CLIENTS_FILE', async function () {
    const file = join(dir.path, 'broken.json');
    await writeFile(file, '[{"client_id": "app", ');
    assertRefused(await runMain({ ...base('json'), CLIENTS_FILE: file }), [/CLIENTS_FILE/, /JSON/]);
  });

  it('a CLIENTS_FILE that does not exist: exit 1, one line naming CLIENTS_FILE', async function () {
    assertRefused(await runMain({ ...base('missing'), CLIENTS_FILE: join(dir.path, 'nope.json') }), [/CLIENTS_FILE/]);
  });

  it('a client whose redirect_uri is not a URL: exit 1, one line naming CLIENTS_FILE and redirect_uris', async function () {
    const file = join(dir.path, 'not-a-url.json');
    await writeFile(file, JSON.stringify([{ client_id: 'app', client_secret: SECRET, redirect_uris: ['not a url'] }]));
    assertRefused(await runMain({ ...base('redirect'), CLIENTS_FILE: file }), [/CLIENTS_FILE/, /redirect_uris/]);
  });

  it('a client oidc-provider refuses (redirect_uri with a fragment): exit 1, one line naming CLIENTS_FILE and redirect_uris', async function () {
    const file = join(dir.path, 'fragment.json');
    await writeFile(file, JSON.stringify([{ client_id: 'app', client_secret: SECRET, redirect_uris: ['https://app.example.com/cb#x'] }]));
    assertRefused(await runMain({ ...base('fragment'), CLIENTS_FILE: file }), [/CLIENTS_FILE/, /redirect_uris/]);
  });

  it('a client with a plain-http redirect_uri on an https server: exit 1, one line naming CLIENTS_FILE and redirect_uris', async function () {
    const file = join(dir.path, 'http-redirect.json');
    await writeFile(file, JSON.stringify([{ client_id: 'app', client_secret: SECRET, redirect_uris: ['http://app.example.com/cb'] }]));
    assertRefused(await runMain({ ...base('http-redirect'), PUBLIC_URL: 'https://id.example.com', CLIENTS_FILE: file }), [/CLIENTS_FILE/, /redirect_uris must use https/]);
  });

  it('an unreachable DATABASE_URL: exit 1, one line, without the password', async function () {
    const result = await runMain({ ...base('db'), DATABASE_URL: 'postgres://gatehouse:s3cr3t-pw@127.0.0.1:1/none' });
    assertRefused(result, [/start|database/i]);
    assert.ok(!result.stderr.includes('s3cr3t-pw'));
  });

  it('a PORT already in use: exit 1, one line naming the port', async function () {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, resolve));
    try {
      const result = await runMain({ ...base('in-use'), PORT: String(port) });
      assertRefused(result, [new RegExp(String(port)), /in use/i]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
