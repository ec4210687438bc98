// The account console's security section over HTTP, as a browser without
// JavaScript: set up an authenticator app from the QR page (codes computed
// here by otplib from the secret shown), recovery codes shown once, new
// codes, renaming and removing the factor; the password asked for each
// change that touches how the account signs in.
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { signInToConsole } from '../support/console-session.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { wrongCode } from '../support/totp-user.ts';

const PASSWORD = 'correct horse battery staple';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field');
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/gi, '=').replace(/&#x2F;/gi, '/');

describe('account console: two-step verification', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ENCRYPTION_KEY: 'an encryption key of at least 32 characters for the MFA test' } });
  });
  after(() => server?.close());

  const post = (session: PageSession, page: PageResponse, path: string, form: Record<string, string>) =>
    session.request(`${server.url}${path}`, { form: { _csrf: csrfOf(page.body), ...form } });

  it('sets up an authenticator app with a server-drawn QR code, then new recovery codes, then removes it', async function () {
    const email = `security-${Date.now()}@example.com`;
    await createTestAccount(server, { email, password: PASSWORD });
    const session = new PageSession();
    const overview = await signInToConsole(session, server.url, '/account/security', { email, password: PASSWORD });
    assert.equal(overview.status, 200);
    assert.match(overview.body, /href="\/account\/security"[^>]*>Two-step verification/);
    assert.match(overview.body, /Two-step verification is off/);

    const wrongPassword = await post(session, overview, '/account/security/totp', { password: 'not the password' });
    assert.equal(wrongPassword.status, 403);
    assert.match(wrongPassword.body, /id="totp_password"[^>]*aria-invalid="true"/);

    const qrPage = await post(session, overview, '/account/security/totp', { password: PASSWORD });
    assert.equal(qrPage.status, 200);
    assert.equal(qrPage.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(qrPage.body, /<div class="qr" role="img" aria-label="[^"]+"><svg[^>]*viewBox/);
    assert.doesNotMatch(qrPage.body, /<script|<img[^>]+src="https?:/);
    assert.doesNotMatch(qrPage.body, /<svg[^>]*style=|<path[^>]*style=/, 'no inline style the CSP would refuse');
    const uri = decode(/<code>(otpauth:\/\/totp\/[^<]+)<\/code>/.exec(qrPage.body)?.[1] ?? assert.fail('no otpauth URI'));
    const secret = new URL(uri).searchParams.get('secret')!;
    assert.match(qrPage.body, new RegExp(`<code>${secret}</code>`), 'the key as text');
    const confirmPath = /action="(\/account\/security\/totp\/[^"]+\/confirm)"/.exec(qrPage.body)?.[1] ?? assert.fail('no confirm form');

    const wrong = await post(session, qrPage, confirmPath, { code: await wrongCode({ secret }) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /id="code"[^>]*aria-invalid="true"[^>]*aria-describedby="form-error code-hint"/);

    const step = Math.floor(Date.now() / 30_000);
    const codesPage = await post(session, wrong, confirmPath, { code: await generate({ secret, epoch: step * 30 }) });
    assert.equal(codesPage.status, 200, codesPage.body.slice(0, 300));
    const codes = [...codesPage.body.matchAll(/<li><code>([\w-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    assert.equal(codes.length, 10);

    const listed = await session.request(`${server.url}/account/security`);
    assert.match(listed.body, /Authenticator app/);
    assert.match(listed.body, /10 of 10 recovery codes left/);

    const again = await post(session, listed, '/account/security/recovery-codes', { password: PASSWORD });
    assert.equal(again.status, 200);
    const newCodes = [...again.body.matchAll(/<li><code>([\w-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    assert.equal(newCodes.length, 10);
    assert.ok(newCodes.every((c) => !codes.includes(c)), 'new codes');

    const renamePath = /action="(\/account\/security\/factors\/[^"]+\/rename)"/.exec(listed.body)?.[1] ?? assert.fail('no rename form');
    const blank = await post(session, listed, renamePath, { name: '   ' });
    assert.equal(blank.status, 400);
    assert.match(blank.body, /id="rename_name_[^"]+"[^>]*aria-invalid="true"/);
    const renamed = await post(session, listed, renamePath, { name: 'Work phone' });
    assert.equal(renamed.status, 303);
    const afterRename = await session.follow(new URL(renamed.headers.get('location')!, server.url).href);
    assert.match(afterRename.body, /The factor is renamed\./);
    assert.match(afterRename.body, /<h2 class="item-title">Work phone<\/h2>/);

    const removePath = /action="(\/account\/security\/factors\/[^"]+\/remove)"/.exec(listed.body)?.[1] ?? assert.fail('no remove form');
    const refused = await post(session, listed, removePath, { password: 'not the password' });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /id="remove_password_[^"]+"[^>]*aria-invalid="true"/);
    const removed = await post(session, listed, removePath, { password: PASSWORD });
    assert.equal(removed.status, 303);
    const after = await session.follow(new URL(removed.headers.get('location')!, server.url).href);
    assert.match(after.body, /The factor is removed\./);
    assert.match(after.body, /Two-step verification is off/);
  });

  it('keeps the section behind sign-in', async function () {
    const res = await new PageSession().request(`${server.url}/account/security`);
    assert.equal(res.status, 303);
  });
});
