// API.md "Browsers and other origins" in real Chromium. A tiny app server in
// this test serves one page on two origins of its own (two ports of
// 127.0.0.1): one listed in CORS_ORIGINS, one not. The listed one calls the
// API with a bearer and in cookie mode (login, /me, refresh, logout without
// ever holding a token); the other is refused by the browser itself, and its
// forged cookie-carrying post is refused by the server. Each page is
// captured as test-artifacts/browser-origins/<name>-<width>.png.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const GROUP = 'browser-origins';
const USER = { email: 'spa@example.com', password: 'a long and unguessable passphrase' };

// The app: a log on the page and `call()`, which fetches and writes what it got (or the error) into the log.
const APP_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Test app</title><style>body{font:14px system-ui;margin:16px}pre{white-space:pre-wrap;word-break:break-all}</style></head>
<body><h1 id="origin"></h1><pre id="log"></pre><script src="/app.js"></script></body></html>`;
const APP_JS = `document.getElementById('origin').textContent = 'App on ' + location.origin;
window.call = async function (label, url, init) {
  const line = document.createElement('div');
  document.getElementById('log').append(line);
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    line.textContent = label + ': ' + res.status + ' ' + text.slice(0, 160);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch (err) {
    line.textContent = label + ': refused by the browser (' + err.name + ')';
    return { error: err.name };
  }
};`;

async function startAppServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const js = req.url === '/app.js';
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html; charset=utf-8' });
    res.end(js ? APP_JS : APP_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface CallResult { status?: number; body?: Record<string, unknown> | null; error?: string }

describe('browsers on other origins, in Chromium', function () {
  let browser: Browser;
  let gatehouse: TestServer;
  let allowed: Awaited<ReturnType<typeof startAppServer>>;
  let refused: Awaited<ReturnType<typeof startAppServer>>;
  let page: Page;

  before(async function () {
    requireChromium(this);
    allowed = await startAppServer();
    refused = await startAppServer();
    gatehouse = await startTestServer({ env: { CORS_ORIGINS: allowed.origin } });
    await createTestAccount(gatehouse, { ...USER, emailVerified: true });
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await gatehouse?.close();
    allowed?.server.close();
    refused?.server.close();
  });
  beforeEach(async function () {
    page = await browser.newPage();
  });
  afterEach(async function () {
    await page?.close();
  });

  const call = (on: Page, label: string, path: string, init: Record<string, unknown> = {}) =>
    on.evaluate(([l, url, i]) => (globalThis as unknown as { call(...a: unknown[]): Promise<CallResult> }).call(l, url, i), [label, `${gatehouse.url}${path}`, init] as const);
  const json = (body: unknown, extra: Record<string, unknown> = {}) =>
    ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...extra });

  it('an allowed origin reads the API with a bearer (preflighted); another origin is refused by the browser', async function () {
    await page.goto(`${allowed.origin}/app.html`);
    const doc = await call(page, 'GET /openapi.json', '/openapi.json');
    assert.equal(doc.status, 200);
    const login = await call(page, 'POST /api/v1/auth/login', '/api/v1/auth/login', json(USER));
    assert.equal(login.status, 200);
    const token = String(login.body?.access_token);
    // Authorization and X-Device-Name make this a preflighted request.
    const me = await call(page, 'GET /api/v1/me (bearer)', '/api/v1/me', { headers: { authorization: `Bearer ${token}`, 'x-device-name': 'Test app' } });
    assert.equal(me.status, 200);
    assert.equal(me.body?.email, USER.email);
    await captureWidths(page, GROUP, 'cors-allowed');

    const other = await browser.newPage();
    try {
      await other.goto(`${refused.origin}/app.html`);
      assert.deepEqual(await call(other, 'GET /openapi.json', '/openapi.json'), { error: 'TypeError' });
      assert.deepEqual(await call(other, 'POST /api/v1/auth/login', '/api/v1/auth/login', json(USER)), { error: 'TypeError' });
      assert.deepEqual(await call(other, 'GET /api/v1/me (bearer)', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } }), { error: 'TypeError' });
      await captureWidths(other, GROUP, 'cors-refused');
    } finally {
      await other.close();
    }
  });

  it('cookie mode: login, /me, refresh and logout without the page ever holding a token; a forged post from another origin changes nothing', async function () {
    await page.goto(`${allowed.origin}/app.html`);
    const withCookies = { credentials: 'include' };
    const login = await call(page, 'login {use_cookies}', '/api/v1/auth/login', json({ ...USER, use_cookies: true }, withCookies));
    assert.equal(login.status, 200);
    for (const key of ['access_token', 'refresh_token', 'id_token']) assert.equal(login.body?.[key], undefined, key);
    assert.equal(await page.evaluate('document.cookie'), '', 'no script-readable cookie');
    assert.equal((await call(page, 'GET /me (cookie)', '/api/v1/me', withCookies)).body?.email, USER.email);
    // The refresh cookie is scoped to /api/v1/auth: ask for a URL under it to see both.
    const authUrl = `${gatehouse.url}/api/v1/auth/refresh`;
    const cookies = await page.context().cookies(authUrl);
    assert.deepEqual(cookies.map((c) => [c.name, c.path, c.httpOnly, c.sameSite]).sort(),
      [['gatehouse_access', '/', true, 'Lax'], ['gatehouse_refresh', '/api/v1/auth', true, 'Lax']]);

    // Another origin of the same site: the Lax cookie goes along, the origin check stops it.
    const other = await browser.newPage();
    try {
      await other.goto(`${refused.origin}/app.html`);
      const forged = await call(other, 'forged logout (no-cors)', '/api/v1/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{}' });
      assert.equal(forged.status, 0, 'an opaque answer');
      await captureWidths(other, GROUP, 'cookie-forged-post');
    } finally {
      await other.close();
    }
    assert.equal((await call(page, 'GET /me after the forged post', '/api/v1/me', withCookies)).status, 200);

    const refreshed = await call(page, 'refresh {use_cookies}', '/api/v1/auth/refresh', json({ use_cookies: true }, withCookies));
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body?.refresh_token, undefined);
    assert.equal((await call(page, 'GET /me after refresh', '/api/v1/me', withCookies)).status, 200);
    assert.equal((await call(page, 'logout', '/api/v1/auth/logout', json({}, withCookies))).status, 204);
    assert.equal((await call(page, 'GET /me after logout', '/api/v1/me', withCookies)).status, 401);
    assert.deepEqual(await page.context().cookies(authUrl), [], 'logout cleared the cookies');
    assert.equal(await page.evaluate('document.cookie'), '');
    await captureWidths(page, GROUP, 'cookie-mode');
  });
});
