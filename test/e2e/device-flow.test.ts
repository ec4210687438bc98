// The device authorization grant (RFC 8628) end to end: openid-client plays
// the device (initiateDeviceAuthorization, then pollDeviceAuthorizationGrant)
// while a real Chromium, as the user on another screen, enters the code at
// /oidc/device, confirms it, signs in and consents through the normal pages.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TV = { client_id: 'living-room-tv', client_name: 'Living Room TV' };
const ACCOUNT = { email: 'device@example.com', password: 'a long and unguessable passphrase' };

/** Fails the test on anything the page's CSP refused (an inline script or handler would be). */
function watchCsp(page: Page): string[] {
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  return refused;
}

describe('Device authorization grant in a browser', function () {
  let server: TestServer;
  let browser: Browser;
  let accountId: string;

  before(async function () {
    requireChromium(this);
    server = await startTestServer({
      clients: [{
        ...TV, token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT, 'refresh_token'], response_types: [], redirect_uris: [],
      }],
    });
    accountId = (await createTestAccount(server, ACCOUNT)).id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('discovery advertises the device authorization endpoint', async () => {
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(metadata.device_authorization_endpoint, `${server.issuer}/device/auth`);
    assert.ok((metadata.grant_types_supported as string[]).includes(DEVICE_GRANT));
  });

  it('a device gets tokens once the user enters and confirms its code, signs in and consents', async () => {
    const config = await oidc.discovery(new URL(server.issuer), TV.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid email offline_access' });
    assert.equal(device.verification_uri, `${server.issuer}/device`);
    const polled = oidc.pollDeviceAuthorizationGrant(config, device);

    const page = await browser.newPage();
    const refused = watchCsp(page);
    try {
      await page.goto(device.verification_uri);
      await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
      assert.doesNotMatch(await page.content(), /<script(?![^>]*\bsrc=)|\son\w+=/i, 'no inline script or handler');
      await assertAccessible(page, 'device code entry');
      await captureWidths(page, 'device-flow', 'code-entry');
      await page.getByLabel('Code').fill(device.user_code.toLowerCase().replace('-', ''));
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByRole('heading', { name: `Connect ${TV.client_name}?` }).waitFor();
      const confirm = await page.textContent('main');
      assert.match(confirm ?? '', new RegExp(device.user_code));
      assert.match(confirm ?? '', /See your email address/);
      await assertAccessible(page, 'device confirmation');
      await captureWidths(page, 'device-flow', 'confirm');
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await page.getByLabel('Email').fill(ACCOUNT.email);
      await page.getByLabel('Password').fill(ACCOUNT.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      await page.getByRole('button', { name: 'Allow' }).click();

      await page.getByRole('heading', { name: 'Device connected' }).waitFor();
      await assertAccessible(page, 'device done');
      await captureWidths(page, 'device-flow', 'done');
    } finally {
      await page.close();
    }
    const tokens = await polled;
    assert.equal(typeof tokens.access_token, 'string');
    assert.equal(typeof tokens.refresh_token, 'string');
    assert.equal(tokens.claims()?.sub, accountId);
    assert.equal(tokens.claims()?.email, ACCOUNT.email, 'the ID token carries the email scope\'s claims');
    assert.deepEqual(refused, [], 'nothing refused by the CSP');
  });

  it('cancelling on the confirmation page shows the failed page and the device is refused', async () => {
    const config = await oidc.discovery(new URL(server.issuer), TV.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polled = oidc.pollDeviceAuthorizationGrant(config, device).then(() => assert.fail('tokens for a cancelled code'), (err: unknown) => err);
    const page = await browser.newPage();
    try {
      // verification_uri_complete: the code arrives filled in, for the user to check.
      await page.goto(device.verification_uri_complete!);
      assert.equal(await page.getByLabel('Code').inputValue(), device.user_code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { name: 'Device not connected' }).waitFor();
      await assertAccessible(page, 'device failed');
      await captureWidths(page, 'device-flow', 'failed');
    } finally {
      await page.close();
    }
    const err = (await polled) as { error?: string };
    assert.equal(err.error, 'access_denied');
  });
});
