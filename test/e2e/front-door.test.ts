// The front door in real Chromium: `/`, a 404 page, /docs and each guide,
// and the standalone account pages (register, forgot and reset password,
// verification), each screenshotted at 1280 and 390 px wide (failing on
// sideways scroll: long curl lines must scroll inside their own box) and
// checked with axe-core. Then the way back: from a login page to "forgot
// password" and, after the reset by mail, "Continue" to the same sign-in.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { GUIDES } from '../../src/pages/docs-guides.ts';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const GROUP = 'front-door';
const ACCOUNT = { email: 'door@example.com', password: 'a long and unguessable passphrase' };
const NEW_PASSWORD = 'another long unguessable passphrase';
const CLIENT = { client_id: 'door-app', client_name: 'Door App', redirect_uris: ['http://127.0.0.1:1/callback'], token_endpoint_auth_method: 'none' };

describe('front door in Chromium', function () {
  let browser: Browser;
  let server: TestServer;
  let smtp: SmtpCapture;
  let page: Page;

  before(async function () {
    requireChromium(this);
    smtp = await startSmtpCapture();
    server = await startTestServer({ clients: [CLIENT] as never, env: { SMTP_URL: smtp.url } });
    await createTestAccount(server, { ...ACCOUNT, emailVerified: true });
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });
  beforeEach(async function () {
    page = await browser.newPage();
  });
  afterEach(async function () {
    await page?.close();
  });

  /** Open a page, check its status and the rules every page keeps, and capture it. */
  async function visit(path: string, name: string, status = 200): Promise<void> {
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res?.status(), status, path);
    assert.ok(res?.headers()['content-security-policy'], `${path}: no CSP`);
    // The stylesheet loaded under the CSP (an unstyled page has a white body margin of 8px).
    assert.equal(await page.evaluate('getComputedStyle(document.body).margin'), '0px', `${path}: app.css not applied`);
    await captureWidths(page, GROUP, name);
    await assertAccessible(page, path);
  }

  it('/ names the server and its links work', async function () {
    await visit('/', 'home');
    assert.equal(await page.textContent('h1'), 'Gatehouse');
    await page.click('text=Developer documentation');
    await page.waitForURL(`${server.url}/docs`);
  });

  it('an unknown path shows the 404 page', async function () {
    await visit('/no/such/page', 'not-found', 404);
    assert.equal(await page.textContent('h1'), 'Page not found');
  });

  it('/docs shows each route with examples and a curl line, without sideways scroll on a phone', async function () {
    await visit('/docs', 'docs');
    const curls = await page.locator('.docs-curl').count();
    assert.ok(curls >= 40, `only ${curls} curl lines`);
    assert.match(await page.locator('#login .docs-curl').textContent() ?? '', /curl -X POST "\$PUBLIC_URL\/api\/v1\/auth\/login"/);
  });

  for (const guide of GUIDES) {
    it(`the guide "${guide.title}"`, async function () {
      await visit(`/docs/guides/${guide.slug}`, `guide-${guide.slug}`);
      assert.equal(await page.textContent('h1'), guide.title);
    });
  }

  it('the standalone account pages', async function () {
    const token = 't'.repeat(43);
    for (const [path, name] of [
      ['/account/register', 'register'],
      ['/account/forgot-password', 'forgot-password'],
      [`/account/reset-password?token=${token}`, 'reset-password'],
      [`/account/verify-email?token=${token}`, 'verify-email'],
      ['/account/verify-email/resend', 'verify-email-resend'],
      ['/account/verify-email/done', 'verify-email-done'],
      ['/account/reset-password/done', 'reset-password-done'],
      ['/oidc/session/end/success', 'logout-success'],
    ] as const) {
      await visit(path, name);
      assert.ok(await page.locator('a[href="/account"]').count(), `${path}: no sign-in or continue link`);
    }
  });

  it('from a login page to a reset by mail and back to the same sign-in', async function () {
    const authorize = new URL(`${server.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: CLIENT.client_id, response_type: 'code', redirect_uri: CLIENT.redirect_uris[0]!, scope: 'openid',
      state: 'door-state', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGEjyWkX8w', code_challenge_method: 'S256',
    })) authorize.searchParams.set(k, v);
    await page.goto(authorize.href);
    await page.click('text=Forgot your password?');
    await page.fill('#email', ACCOUNT.email);
    await page.click('button:has-text("Send reset link")');
    await page.waitForURL(/\/account\/forgot-password\/sent/);
    await page.getByText('Back to sign in').waitFor();

    const mail = await smtp.waitFor((m) => m.rcptTo.includes(ACCOUNT.email));
    const link = /(\S+\/account\/reset-password\?token=\S+)/.exec(mail.text ?? '')?.[1] ?? assert.fail('no link');
    await page.goto(link);
    await page.fill('#password', NEW_PASSWORD);
    await page.click('button:has-text("Set new password")');
    await page.waitForURL(/\/account\/reset-password\/done/);
    await captureWidths(page, GROUP, 'reset-password-done-continue');
    await assertAccessible(page);

    await page.getByRole('link', { name: 'Continue', exact: true }).click();
    await page.waitForURL(/\/interaction\//);
    assert.equal(await page.textContent('h1'), 'Sign in');
    assert.match(await page.textContent('.lead') ?? '', /Door App/);
  });
});
