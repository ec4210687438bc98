// The admin console in Chromium: an admin signs in through the real login
// page, looks at every admin page (screenshots at 1280 and 390 px, axe-core
// on each), creates a client (its secret shown once), disables an account
// (whose token from before is refused at once), and finds both on the audit page.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, uniqueEmail } from '../support/admin.ts';
import { login } from '../support/api.ts';
import { assertAccessible, captureWidths, launchChromium, requireChromium } from '../support/browser.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

describe('admin console (Chromium)', function () {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    requireChromium(this);
    server = await startTestServer();
    browser = await launchChromium();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function look(path: string, name: string) {
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res?.status(), 200, `${path}: ${res?.status()}`);
    await captureWidths(page, 'admin', name);
    await assertAccessible(page, path);
  }

  it('lets an admin create a client and disable an account, both on the audit page', async () => {
    const adminEmail = uniqueEmail('e2e-admin');
    await createTestAccount(server, { email: adminEmail, password: PASSWORD, role: 'admin', name: 'Ada Admin' });
    const victimEmail = uniqueEmail('e2e-victim');
    const victim = await createTestAccount(server, { email: victimEmail, password: PASSWORD, name: 'Victor' });
    const victimTokens = await login(server, { email: victimEmail, password: PASSWORD });

    await page.goto(`${server.url}/admin`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await look('/admin', 'dashboard');
    await look('/admin/users', 'users');
    await look(`/admin/users/${victim.id}`, 'user');
    await look('/admin/clients', 'clients');
    await look('/admin/clients/new', 'client-new');
    await look('/admin/roles', 'roles');
    await look('/admin/roles/admin', 'role');
    await look('/admin/keys', 'keys');

    // A client: the secret on the answer, and on no page after.
    await page.goto(`${server.url}/admin/clients/new`);
    await page.getByLabel('Client name').fill('Print Shop');
    await page.getByLabel(/Redirect URIs/).fill('https://print.example/callback');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('heading', { name: 'Client created' }).waitFor();
    const secret = (await page.locator('#client-secret').textContent())?.trim() ?? '';
    const clientId = (await page.locator('#client-id').textContent())?.trim() ?? '';
    assert.ok(secret.length > 40 && clientId.length > 10);
    await captureWidths(page, 'admin', 'client-secret');
    await assertAccessible(page, 'client secret');
    await page.getByRole('link', { name: 'Go to the client' }).click();
    await page.getByRole('heading', { name: 'Print Shop' }).waitFor();
    assert.ok(!(await page.content()).includes(secret), 'the secret is shown once');
    await captureWidths(page, 'admin', 'client');
    await assertAccessible(page, 'client');

    // Disable the account: a confirmation, then its earlier token is refused.
    await page.goto(`${server.url}/admin/users/${victim.id}`);
    await page.getByRole('link', { name: 'Disable…' }).click();
    await page.getByRole('heading', { name: /^Disable:/ }).waitFor();
    await captureWidths(page, 'admin', 'confirm-disable');
    await assertAccessible(page, 'confirm');
    await page.getByLabel('Yes, I am sure').check();
    await page.getByRole('button', { name: 'Disable the account' }).click();
    await page.getByText('The account is disabled; its sessions ended.').waitFor();
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${victimTokens.access_token}` } });
    assert.equal(me.status, 401);

    // Both on the audit page.
    await look('/admin/audit', 'audit');
    const rows = page.locator('table.list tbody tr');
    const created = rows.filter({ hasText: 'admin.adminCreateClient' });
    const disabled = rows.filter({ hasText: 'admin.adminUpdateUser' }).filter({ hasText: victim.id });
    assert.equal(await created.count(), 1);
    assert.equal(await disabled.count(), 1);
    assert.match((await disabled.textContent()) ?? '', /success/);
    await page.getByLabel('Type').fill('admin.adminUpdateUser');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=admin\.adminUpdateUser/);
    assert.equal(await page.locator('table.list tbody tr').count(), 1);
  });
});
