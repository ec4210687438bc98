// Every existing page in real Chromium, with no script on any, with the default
// look and with branding (PRODUCT_NAME, LOGO_URL, a too-light ACCENT_COLOR):
// screenshots at 1280 and 390 px, axe-core's WCAG A/AA rules, focus rings and
// input borders at 3:1 or more, errors tied to their fields, sign-in by
// keyboard alone, and the logos loading under the CSP.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const ACCOUNT = { email: 'a11y@example.com', password: 'a long and unguessable passphrase' };
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const SVG = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="6" fill="${fill}"/></svg>`;

/** A loopback server for the product and client logos (another origin than Gatehouse). */
async function startLogoServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
    res.end(SVG(req.url === '/client.svg' ? '#8a2be2' : '#0b6e4f'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

type Rgb = [number, number, number];
const rgbOf = (css: string): Rgb => (/rgba?\((\d+), (\d+), (\d+)/.exec(css)?.slice(1, 4).map(Number) as Rgb | undefined) ?? assert.fail(`not a colour: ${css}`);
function contrast(a: Rgb, b: Rgb): number {
  const lum = (c: Rgb) => c.map((v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Computed style properties of the first element matching `selector` (runs in the page). */
async function styleOf(page: Page, selector: string, names: string[]): Promise<Record<string, string>> {
  return page.locator(selector).first().evaluate((el, props) => {
    const style = (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el);
    return Object.fromEntries(props.map((p) => [p, style[p]!]));
  }, names);
}

/** The focused element shows a solid ring of 2px or more at 3:1 against the card, and input borders reach 3:1 too. */
async function assertFocusAndBorders(page: Page, label: string): Promise<void> {
  const card = rgbOf((await styleOf(page, 'main', ['backgroundColor'])).backgroundColor!);
  const focused = await page.evaluate<string>('document.activeElement ? document.activeElement.tagName : ""');
  assert.ok(focused && focused !== 'BODY', `${label}: something has focus`);
  const ring = await page.evaluate<Record<string, string>>(`(() => { const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor }; })()`);
  assert.equal(ring.style, 'solid', `${label}: focus ring on ${focused}`);
  assert.ok(Number.parseFloat(ring.width!) >= 2, `${label}: focus ring width ${ring.width}`);
  const ringContrast = contrast(rgbOf(ring.color!), card);
  assert.ok(ringContrast >= 3, `${label}: focus ring ${ring.color} on card is ${ringContrast.toFixed(2)}:1`);
  if (await page.locator('input[type=email], input[type=password], input[type=text]').count()) {
    const border = await styleOf(page, 'input[type=email], input[type=password], input[type=text]', ['borderTopColor']);
    const borderContrast = contrast(rgbOf(border.borderTopColor!), card);
    assert.ok(borderContrast >= 3, `${label}: input border ${border.borderTopColor} is ${borderContrast.toFixed(2)}:1`);
  }
}

for (const variant of ['default', 'branded'] as const) {
  describe(`pages in Chromium (${variant})`, function () {
    this.timeout(180_000);
    let gatehouse: TestServer;
    let logos: Awaited<ReturnType<typeof startLogoServer>>;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const group = `pages-${variant}`;
    const cspViolations: string[] = [];

    before(async function () {
      requireChromium(this);
      logos = await startLogoServer();
      gatehouse = await startTestServer({
        env: {
          TERMS_URL: 'https://example.com/terms',
          ...(variant === 'branded' && { PRODUCT_NAME: 'Acme Identity', LOGO_URL: `${logos.origin}/logo.svg`, ACCENT_COLOR: '#ffd60a' }),
        },
        clients: [{
          client_id: 'printer', client_secret: randomBytes(32).toString('hex'), client_name: 'Photo Print & Co',
          redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          logo_uri: `${logos.origin}/client.svg`, policy_uri: 'https://printer.example/privacy', tos_uri: 'https://printer.example/terms',
        }],
      });
      await createTestAccount(gatehouse, ACCOUNT);
      browser = await launchChromium();
      // JavaScript stays on only because axe-core runs in the page; the pages
      // carry no script at all (checked on each), and browser-login.test.ts
      // walks the sign-in with JavaScript off.
      context = await browser.newContext();
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text()); });
    });

    after(async function () {
      await context?.close();
      await browser?.close();
      await gatehouse?.close();
      logos?.server.close();
    });

    afterEach(function () {
      assert.deepEqual(cspViolations.splice(0), [], 'CSP refused something on the page');
    });

    /** Screenshots at both widths, axe, and the product name in the title and header. */
    async function look(name: string): Promise<void> {
      await captureWidths(page, group, name);
      await assertAccessible(page, `${variant} ${name}`);
      const product = variant === 'branded' ? 'Acme Identity' : 'Gatehouse';
      assert.match(await page.title(), new RegExp(`· ${product}$`), name);
      assert.equal(await page.locator('header .brand').innerText(), product, name);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('main').count(), 1, `${name}: one main landmark`);
      // The one script is the login page's passkey button, a same-origin file (no inline script).
      assert.equal(await page.locator('script:not([src="/assets/passkey.js"])').count(), 0, `${name}: no script but the passkey button's`);
      if (variant === 'branded') {
        const logoWidth = await page.locator('.brand-logo').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
        assert.ok(logoWidth > 0, `${name}: the product logo loaded`);
      }
    }

    function authorizeUrl(): string {
      const url = new URL(`${gatehouse.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: 'printer', response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid email', state: 's',
        code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'), code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    }

    it('login, its field error, accept-terms and consent, by keyboard alone', async function () {
      await page.goto(authorizeUrl());
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await look('login');
      // Keyboard only: the email field has focus (autofocus), Tab moves on, Enter submits.
      assert.equal(await page.evaluate<string>('document.activeElement.id'), 'email');
      await assertFocusAndBorders(page, 'login');
      await page.keyboard.type(ACCOUNT.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('not the password');
      await page.keyboard.press('Enter');

      await page.locator('#form-error').waitFor();
      for (const id of ['email', 'password']) {
        assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', id);
        assert.equal(await page.getAttribute(`#${id}`, 'aria-describedby'), 'form-error', id);
      }
      // The field is described by the error: what a screen reader reads with it.
      assert.match(await page.locator('#form-error').innerText(), /Invalid email or password/);
      await look('login-error');
      await assertFocusAndBorders(page, 'login-error');
      await page.keyboard.type(ACCOUNT.password);
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'Accept the terms' }).waitFor();
      await look('accept-terms');
      // Tab through the terms link to the checkbox; Space ticks it; Tab to Continue; Enter.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'terms of service');
      await assertFocusAndBorders(page, 'accept-terms link');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#accept_terms'), true);
      await page.keyboard.press('Tab');
      await assertFocusAndBorders(page, 'accept-terms button');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      assert.match(await page.locator('.account').innerText(), /Signed in as a11y@example\.com/);
      const clientLogo = await page.locator('.client-logo').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      assert.ok(clientLogo > 0, 'the client logo loaded under the consent page CSP');
      assert.equal(await page.getByRole('link', { name: 'privacy policy' }).getAttribute('rel'), 'noopener noreferrer');
      await look('consent');
      await page.getByRole('button', { name: 'Allow' }).focus();
      await assertFocusAndBorders(page, 'consent button');
    });

    it('the error page and oidc-provider\'s logout pages', async function () {
      await page.goto(`${gatehouse.url}/interaction/not-a-real-one`);
      await page.getByRole('heading', { name: 'Sign-in request not valid' }).waitFor();
      await look('error');
      await page.goto(`${gatehouse.issuer}/session/end`);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await look('logout');
      await assertFocusAndBorders(page, 'logout');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await look('logout-success');
    });

    it('the self-service pages, with a field error, and the docs', async function () {
      await page.goto(`${gatehouse.url}/account/register`);
      await look('register');
      await assertFocusAndBorders(page, 'register');
      // An address already registered: the refusal concerns the email field only.
      await page.keyboard.type(ACCOUNT.email);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.type('another long and unguessable passphrase');
      await page.keyboard.press('Enter');
      await page.locator('#form-error').waitFor();
      assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#email', 'aria-describedby'), 'form-error');
      assert.equal(await page.getAttribute('#password', 'aria-invalid'), null);
      assert.equal(await page.getAttribute('#password', 'aria-describedby'), 'password-hint');
      await look('register-error');

      const pages: Array<[string, string]> = [
        ['forgot-password', '/account/forgot-password'],
        ['reset-password', `/account/reset-password?token=${'t'.repeat(43)}`],
        ['verify-email', `/account/verify-email?token=${'t'.repeat(43)}`],
        ['verify-email-resend', '/account/verify-email/resend'],
        ['forgot-password-sent', '/account/forgot-password/sent'],
        ['invalid-link', '/account/reset-password'],
        ['docs', '/docs'],
      ];
      for (const [name, path] of pages) {
        await page.goto(`${gatehouse.url}${path}`);
        await look(name);
        if (name !== 'docs' && name !== 'forgot-password-sent' && name !== 'invalid-link') await assertFocusAndBorders(page, name);
      }
    });

    it('keeps the focus ring and borders at 3:1 in the dark scheme', async function () {
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        await page.goto(`${gatehouse.url}/account/forgot-password`);
        await assertFocusAndBorders(page, 'forgot-password dark');
        await captureWidths(page, group, 'forgot-password-dark');
        await assertAccessible(page, `${variant} forgot-password dark`);
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
      }
    });
  });
}
