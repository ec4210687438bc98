// The browser sign-in with a second factor in Chromium: password, the MFA
// page (code computed here by otplib), consent, the redirect to the client;
// openid-client exchanges the code and checks the ID token, whose amr must
// name the second factor. The account console signs in the same way.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { enrolTotpUser, nextCode, wrongCode, type TotpUser } from '../support/totp-user.ts';

const GROUP = 'mfa';
const CLIENT = { id: 'photo-print', secret: randomBytes(32).toString('hex'), name: 'Photo Print & Co' };
const PASSWORD = 'a long and unguessable passphrase';

async function startCallbackServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Client</title><p>Back at the client.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, server };
}

describe('MFA sign-in (Chromium)', function () {
  this.timeout(180_000);
  let gatehouse: TestServer;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TotpUser;

  before(async function () {
    requireChromium(this);
    callback = await startCallbackServer();
    gatehouse = await startTestServer({
      env: { ENCRYPTION_KEY: 'an encryption key of at least 32 characters for the MFA test' },
      clients: [{
        client_id: CLIENT.id, client_secret: CLIENT.secret, client_name: CLIENT.name,
        redirect_uris: [callback.url], grant_types: ['authorization_code'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
    user = await enrolTotpUser(gatehouse, 'mfa-browser@example.com', PASSWORD);
    browser = await launchChromium();
  });

  beforeEach(async () => {
    // A fresh browser each time: no session left from the test before.
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page && !page.isClosed()) await captureWidths(page, GROUP, 'failure').catch(() => {});
    await context?.close();
  });

  after(async function () {
    await browser?.close();
    await gatehouse?.close();
    callback?.server.close();
  });

  async function inspect(name: string) {
    assert.equal(await page.locator('script').count(), 0, `${name} has no script`);
    await captureWidths(page, GROUP, name);
    await assertAccessible(page, name);
  }

  async function signInWithPassword(who: TotpUser = user) {
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  }

  it('asks the code after the password, shows a wrong one, then consent and an ID token with otp and mfa', async () => {
    const config = await oidc.discovery(new URL(gatehouse.issuer), CLIENT.id, undefined, oidc.ClientSecretBasic(CLIENT.secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callback.url, scope: 'openid email', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await signInWithPassword();
    const code = page.getByLabel('Authentication code');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    await inspect('code');

    await code.fill(await wrongCode(user));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is not valid.' }).waitFor();
    assert.equal(await page.getByLabel('Authentication code').getAttribute('aria-invalid'), 'true');
    await inspect('wrong-code');

    await page.getByLabel('Authentication code').fill(await nextCode(user));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.toString().startsWith(callback.url));

    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.accountId);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('otp') && amr.includes('mfa') && amr.includes('pwd'), JSON.stringify(amr));
  });

  it('takes a recovery code instead', async () => {
    await page.goto(`${gatehouse.url}/account`);
    await signInWithPassword();
    await page.getByRole('link', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').waitFor();
    await inspect('recovery-code');
    await page.getByLabel('Recovery code').fill(user.recoveryCodes[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
  });

  it('lets an MFA-enrolled account open the account console after the code', async () => {
    // Another account: the first one's codes of the steps around now are used up.
    const other = await enrolTotpUser(gatehouse, 'mfa-console@example.com', PASSWORD);
    await page.goto(`${gatehouse.url}/account`);
    await signInWithPassword(other);
    await page.getByLabel('Authentication code').fill(await nextCode(other));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
  });

  it('sets up an authenticator app in the account console from the QR code', async () => {
    const email = 'mfa-setup@example.com';
    const { createTestAccount } = await import('../support/server.ts');
    await createTestAccount(gatehouse, { email, password: PASSWORD });
    await page.goto(`${gatehouse.url}/account/security`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await inspect('console-security-off');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code of the authenticator key' }).waitFor();
    await inspect('console-qr');
    const uri = await page.locator('code', { hasText: 'otpauth://' }).innerText();
    const secret = new URL(uri).searchParams.get('secret')!;
    await page.getByLabel('Code from the app').fill(await nextCode({ secret, lastStep: 0 }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
    assert.equal(await page.locator('.recovery-codes li').count(), 10);
    await inspect('console-recovery-codes');
  });
});
