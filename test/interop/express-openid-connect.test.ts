// express-openid-connect, a server-side web framework library, in an Express
// app run by the test; Chromium is the user: protected page, Gatehouse's
// login and consent pages, the app's session, a token refresh by the
// library, and logout at the provider (RP-initiated, /oidc/session/end).
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { screenshotOnFailure } from './failure-screenshot.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startExpressApp, type ExpressApp } from './express-app.ts';

const USER = { email: 'express-user@example.com', password: 'a passphrase for the express app', name: 'Eve Express' };
const CLIENT = { id: 'interop-express', secret: 'express-openid-connect-client-secret-0123456789' };

describe('interop: express-openid-connect 3.4.0 (Express 5) with Chromium', function () {
  // Gatehouse, the app and Chromium start once for the file; generous on a loaded machine.
  this.timeout(120_000);
  let server: TestServer;
  let app: ExpressApp;
  let browser: Browser;
  let page: Page;
  let accountId: string;

  before(async function () {
    requireChromium(this);
    const appPort = await freePort();
    const appOrigin = `http://127.0.0.1:${appPort}`;
    server = await startTestServer({
      clients: [{
        client_id: CLIENT.id, client_secret: CLIENT.secret, client_name: 'Interop Express App',
        redirect_uris: [`${appOrigin}/callback`], post_logout_redirect_uris: [`${appOrigin}/logged-out`],
        grant_types: ['authorization_code', 'refresh_token'],
      }],
    });
    ({ id: accountId } = await createTestAccount(server, USER));
    app = await startExpressApp({ port: appPort, issuer: server.issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, page, 'express-openid-connect-failure');
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await server?.close();
  });

  async function userinfoSub(accessToken: string): Promise<unknown> {
    const res = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { sub: unknown }).sub;
  }

  it('a protected page sends the user through Gatehouse and back, signed in with the ID token\'s subject', async () => {
    const authorizationRequest = page.waitForRequest((req) => req.url().startsWith(`${server.issuer}/auth?`));
    await page.goto(`${app.origin}/profile`);
    const authorize = new URL((await authorizationRequest).url());
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'the library uses PKCE with the code flow');

    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${app.origin}/profile`);
    await page.getByRole('heading', { name: 'Profile' }).waitFor();

    assert.equal(app.profiles.length, 1);
    const [{ user, userinfo, accessToken }] = app.profiles as [(typeof app.profiles)[0]];
    assert.equal(user?.sub, accountId);
    assert.deepEqual(user?.amr, ['pwd'], 'the ID token says how the user signed in');
    // The library builds its user from the ID token alone: the granted scopes' claims must be there.
    assert.equal(user?.email, USER.email);
    assert.equal(user?.name, USER.name);
    // The library's fetchUserInfo: the granted scopes' claims.
    assert.equal(userinfo.sub, accountId);
    assert.equal(userinfo.email, USER.email);
    assert.equal(userinfo.name, USER.name);
    assert.equal(await userinfoSub(accessToken), accountId);
  });

  it('the library refreshes the access token with the refresh token Gatehouse issued', async () => {
    const before = app.profiles.at(-1)!.accessToken;
    await page.goto(`${app.origin}/refresh`);
    await page.getByRole('heading', { name: 'Refreshed' }).waitFor();
    const refreshed = app.refreshed.at(-1)!;
    assert.notEqual(refreshed, before);
    assert.equal(await userinfoSub(refreshed), accountId);
  });

  it('logs out of the app and of Gatehouse: the next visit asks for the password again', async () => {
    await page.goto(`${app.origin}/logout`);
    await page.waitForURL((url) => url.href.startsWith(`${server.issuer}/session/end`));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${app.origin}/logged-out`);
    await page.getByRole('heading', { name: 'Logged out' }).waitFor();

    await page.goto(`${app.origin}/profile`);
    await page.waitForURL((url) => url.href.startsWith(server.url));
    await page.getByLabel('Password').waitFor();
  });
});
