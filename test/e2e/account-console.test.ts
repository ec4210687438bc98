// The account console in Chromium, with JavaScript off: signing in through
// the real login page, every page at 1280 and 390 px (screenshots in
// test-artifacts/account-console/) checked with axe-core, and the actions a
// person takes there: signing out another session (whose token the API then
// refuses), changing the password, removing an app's access, deleting the
// account.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { login } from '../support/api.ts';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const GROUP = 'account-console';
const CLIENT = { id: 'photo-print', secret: randomBytes(32).toString('hex'), name: 'Photo Print & Co' };
const ACCOUNT = { email: 'console@example.com', password: 'a long and unguessable passphrase', name: 'Ada Console' };
const NEW_PASSWORD = 'another quite long passphrase here';

async function startCallbackServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Client</title><p>Back at the client.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, server };
}

describe('account console (Chromium)', function () {
  this.timeout(180_000);
  let gatehouse: TestServer;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let browser: Browser;
  let page: Page;

  before(async function () {
    requireChromium(this);
    callback = await startCallbackServer();
    gatehouse = await startTestServer({
      clients: [{
        client_id: CLIENT.id, client_secret: CLIENT.secret, client_name: CLIENT.name,
        redirect_uris: [callback.url], grant_types: ['authorization_code'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
    await createTestAccount(gatehouse, ACCOUNT);
    browser = await launchChromium();
    // JavaScript on only so that axe-core can run (its timers stall with
    // scripting off); the pages themselves carry no script, checked in inspect().
    const context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page && !page.isClosed()) {
      await captureWidths(page, GROUP, 'failure').catch(() => {});
    }
  });

  after(async function () {
    await browser?.close();
    await gatehouse?.close();
    callback?.server.close();
  });

  /** Look at the page: screenshots at both widths, no sideways scroll, no serious axe violation. */
  async function inspect(name: string) {
    assert.equal(await page.locator('script').count(), 0, `${name} has no script`);
    await captureWidths(page, GROUP, name);
    await assertAccessible(page, name);
  }

  const api = (path: string, token: string) => fetch(`${gatehouse.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('signs in through the login page and lands on the overview', async () => {
    await page.goto(`${gatehouse.url}/account`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email').fill(ACCOUNT.email);
    await page.getByLabel('Password').fill(ACCOUNT.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await page.getByLabel('Name').inputValue(), ACCOUNT.name);
    await inspect('overview');

    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    assert.equal(await page.getByLabel('Name').inputValue(), 'Ada Lovelace');
  });

  it('lists a second session with its app and signs it out; its token is then refused', async () => {
    const phone = await login(gatehouse, ACCOUNT, { 'x-device-name': 'Ada\'s phone' });
    assert.equal((await api('/api/v1/me', phone.access_token)).status, 200);

    await page.goto(`${gatehouse.url}/account/sessions`);
    const other = page.locator('.console-item', { hasText: 'Ada\'s phone' });
    await other.waitFor();
    const mine = page.locator('.console-item').filter({ has: page.locator('.badge', { hasText: 'this session' }) });
    assert.match(await mine.innerText(), /Gatehouse console/);
    await inspect('sessions');

    await other.getByRole('button', { name: /Sign out this session/ }).click();
    await page.getByText('The session is signed out.').waitFor();
    assert.equal(await page.locator('.console-item', { hasText: 'Ada\'s phone' }).count(), 0);
    assert.equal((await api('/api/v1/me', phone.access_token)).status, 401);
  });

  it('shows an app the account consented to, and removing it ends its tokens', async () => {
    // The third-party client's code flow in the same browser: already signed in, so only consent.
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${gatehouse.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT.id, response_type: 'code', redirect_uri: callback.url, scope: 'openid email', state: 's', nonce: 'n',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    await page.goto(authorize.toString());
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'your account' }).getAttribute('href'), '/account/apps');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.toString().startsWith(callback.url));
    const code = new URL(page.url()).searchParams.get('code') ?? assert.fail('no code');
    const exchanged = await fetch(`${gatehouse.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.url, code_verifier: verifier }),
    });
    const { access_token: clientToken } = await exchanged.json() as { access_token: string };
    const userinfo = () => fetch(`${gatehouse.issuer}/userinfo`, { headers: { authorization: `Bearer ${clientToken}` } });
    assert.equal((await userinfo()).status, 200);

    await page.goto(`${gatehouse.url}/account/apps`);
    const app = page.locator('.console-item', { hasText: CLIENT.name });
    await app.waitFor();
    assert.match(await app.innerText(), /openid, email/);
    await inspect('apps');

    await app.getByRole('button', { name: `Remove access of ${CLIENT.name}` }).click();
    await page.getByText('The app no longer has access to your account.').waitFor();
    assert.equal(await page.locator('.console-item', { hasText: CLIENT.name }).count(), 0);
    assert.equal((await userinfo()).status, 401);
  });

  it('changes the password, showing each refusal on its field', async () => {
    await page.goto(`${gatehouse.url}/account/password`);
    await inspect('password');

    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    const current = page.getByLabel('Current password');
    await page.locator('#current_password-error').waitFor();
    assert.equal(await current.getAttribute('aria-invalid'), 'true');
    assert.equal(await current.getAttribute('aria-describedby'), 'current_password-error');
    await inspect('password-wrong');

    await page.getByLabel('Current password').fill(ACCOUNT.password);
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#new_password-error').waitFor();
    assert.equal(await page.getByLabel('New password').getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByLabel('New password').getAttribute('aria-describedby') ?? '', /new_password-error/);

    await page.getByLabel('Current password').fill(ACCOUNT.password);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await login(gatehouse, { email: ACCOUNT.email, password: NEW_PASSWORD });
  });

  it('shows the recent security activity', async () => {
    await page.goto(`${gatehouse.url}/account/activity`);
    await page.getByRole('heading', { name: 'Security activity' }).waitFor();
    const table = await page.locator('table').innerText();
    for (const what of ['Password changed', 'App access removed', 'Session signed out', 'Sign-in']) assert.match(table, new RegExp(what));
    await inspect('activity');
  });

  it('deletes the account with its password', async () => {
    await page.goto(`${gatehouse.url}/account/delete`);
    await page.getByRole('heading', { name: 'Delete account' }).waitFor();
    await inspect('delete');
    await page.getByLabel('Your password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByRole('heading', { name: 'Account deleted' }).waitFor();
    await inspect('deleted');
    const refused = await fetch(`${gatehouse.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ACCOUNT.email, password: NEW_PASSWORD }),
    });
    assert.equal(refused.status, 401);
    // Signed out: the console asks to sign in again.
    await page.goto(`${gatehouse.url}/account`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  });
});
