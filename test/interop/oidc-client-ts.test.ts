// oidc-client-ts, the library most browser apps use, in real Chromium: a
// single-page app on its own origin (spa/) signs in with the code flow and
// PKCE through Gatehouse's pages, reads the profile, refreshes with the
// refresh token and signs out through /oidc/session/end. Its token and
// userinfo calls are cross-origin, so this also pins the CORS answers a
// public client's origin gets (oidc-provider's clientBasedCORS).
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { screenshotOnFailure } from './failure-screenshot.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSpaServer, type SpaServer } from './spa-server.ts';

const USER = { email: 'spa-user@example.com', password: 'a passphrase for the single-page app', name: 'Sam Spa' };
const CLIENT_ID = 'interop-spa';

describe('interop: oidc-client-ts 3.5.0 in Chromium', function () {
  // Gatehouse, the SPA server and Chromium start once for the file; generous on a loaded machine.
  this.timeout(120_000);
  let server: TestServer;
  let spa: SpaServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;

  before(async function () {
    requireChromium(this);
    const port = await freePort();
    // The SPA page needs the issuer and Gatehouse needs the SPA's origin among the client's redirect URIs.
    spa = await startSpaServer({ authority: `http://127.0.0.1:${port}/oidc`, clientId: CLIENT_ID });
    server = await startTestServer({
      port,
      clients: [{
        client_id: CLIENT_ID, client_name: 'Interop SPA', token_endpoint_auth_method: 'none',
        redirect_uris: [`${spa.origin}/callback`], post_logout_redirect_uris: [`${spa.origin}/logged-out`],
        grant_types: ['authorization_code', 'refresh_token'],
      }],
    });
    ({ id: accountId } = await createTestAccount(server, USER));
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, page, 'oidc-client-ts-failure');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await spa?.close();
  });

  const status = () => page.locator('#status');
  const text = (id: string) => page.locator(`#${id}`).innerText();
  const stored = (key: string) => page.evaluate<string, string>((k) => (globalThis as unknown as { sessionStorage: { getItem(k: string): string } }).sessionStorage.getItem(k), key);

  /** What Gatehouse's userinfo says of an access token the page holds (200 and the subject, or the status). */
  async function userinfo(accessToken: string): Promise<{ status: number; sub?: string }> {
    const res = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: res.status, ...(res.ok ? { sub: ((await res.json()) as { sub: string }).sub } : {}) };
  }

  it('signs in with the code flow and PKCE, and shows the profile', async () => {
    await page.goto(`${spa.origin}/`);
    await page.getByText('Status: signed out').waitFor();
    const authorizationRequest = page.waitForRequest((req) => req.url().startsWith(`${server.issuer}/auth?`));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const authorize = new URL((await authorizationRequest).url());
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL(`${spa.origin}/`);
    await page.getByText(/Status: (signed in|error)/).waitFor();
    assert.equal(await status().innerText(), 'signed in');
    // The library sent PKCE (S256) on its own; Gatehouse requires it.
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(await text('sub'), accountId);
    assert.equal(await text('amr'), 'pwd', 'amr from the ID token');
    assert.equal(await text('email'), USER.email);
    assert.equal(await text('name'), USER.name);
    assert.deepEqual(await userinfo(await stored('interop.access_token')), { status: 200, sub: accountId });
  });

  it('refreshes with the refresh token: new tokens that work, the old refresh token rotated out', async () => {
    const oldAccess = await stored('interop.access_token');
    const oldRefresh = await stored('interop.refresh_token');
    assert.ok(oldRefresh, 'offline_access gave the SPA a refresh token');

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText(/Status: (refreshed|error)/).waitFor();
    assert.equal(await status().innerText(), 'refreshed');
    assert.equal(await text('refreshes'), '1');
    const newAccess = await stored('interop.access_token');
    const newRefresh = await stored('interop.refresh_token');
    assert.notEqual(newAccess, oldAccess);
    assert.ok(newRefresh && newRefresh !== oldRefresh, 'rotated on use');
    assert.deepEqual(await userinfo(newAccess), { status: 200, sub: accountId });
    assert.equal(await text('sub'), accountId, 'the profile survives the refresh');
  });

  it('the token endpoint refuses the SPA\'s client from an origin that is not its own', async () => {
    // What a page elsewhere would send with the SPA's client_id (a browser sets Origin itself).
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { origin: 'http://127.0.0.1:9', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: await stored('interop.refresh_token') }),
    });
    const body = (await res.json()) as { error?: string };
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('signs out through /oidc/session/end and Gatehouse forgets the browser session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${server.issuer}/session/end`));
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();

    await page.waitForURL((url) => url.href.startsWith(`${spa.origin}/logged-out`));
    await page.getByText(/Status: (signed out|error)/).waitFor();
    assert.equal(await status().innerText(), 'signed out');
    assert.equal(await text('sub'), '');

    // Signing in again asks for the password: the Gatehouse session is gone.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.href.startsWith(server.url));
    await page.getByLabel('Password').waitFor();
  });
});
