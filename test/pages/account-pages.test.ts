// The self-service account pages against the real server, with mail going
// through nodemailer to a real SMTP listener: sign-up and verification by
// link, forgotten password and reset, the login page's resend offer, and the
// page rules (CSRF, security headers, escaping, identical answers for known
// and unknown addresses).
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import request from 'supertest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { CALLBACK, CLIENTS, startFixture, USER, type Fixture } from '../oidc/fixtures.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { createTestAccount } from '../support/server.ts';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../support/smtp.ts';

const HOSTILE = '<script>alert(1)</script>';
const STRONG = 'plum kettle harbour seventeen';
const MAIL_PER_EMAIL = 3;
const UNVERIFIED = 'waiting@example.org';

/** The link of the given kind in a mail's text part. */
function linkIn(mail: CapturedMail, kind: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`(\\S+/account/${kind}\\?token=[A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  return match?.[1] ?? assert.fail(`no ${kind} link in:\n${mail.text}`);
}

function decode(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Post the form whose action is `action` (a page may have several), with its hidden fields plus `fields`. */
async function submitForm(session: PageSession, page: PageResponse, action: string, fields: Record<string, string> = {}) {
  const forms = [...page.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => decode(f[1]!) === action) ?? assert.fail(`no form posting to ${action} on ${page.url}`);
  const hidden: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name) hidden[name] = decode(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
  }
  const res = await session.request(new URL(action, page.url).href, { form: { ...hidden, ...fields } });
  const location = res.headers.get('location');
  return { ...res, location: location ? new URL(location, page.url).href : undefined, hidden };
}

describe('account pages', function () {
  let smtp: SmtpCapture;
  let fixture: Fixture;
  let base: string;
  let rp: oidc.Configuration;

  before(async function () {
    smtp = await startSmtpCapture();
    fixture = await startFixture({
      SMTP_URL: smtp.url,
      REQUIRE_EMAIL_VERIFICATION: 'true',
      RATE_LIMIT_MAIL_PER_EMAIL_PER_HOUR: String(MAIL_PER_EMAIL),
      RATE_LIMIT_MAIL_PER_IP_PER_HOUR: '1000',
      RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: '1000',
    });
    base = fixture.server.url;
    await createTestAccount(fixture.server, { email: UNVERIFIED, password: STRONG, emailVerified: false });
    rp = await fixture.rp(CLIENTS.firstParty);
  });
  after(async function () {
    await fixture?.server.close();
    await smtp?.close();
  });

  const atCallback = (location: string) => location.startsWith(CALLBACK);

  /** Open the login page of a fresh authorization request and post the credentials. */
  async function signIn(email: string, password: string) {
    const session = new PageSession();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK, scope: 'openid email', state: oidc.randomState(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const page = await session.follow(url.href, atCallback);
    assert.equal(page.status, 200);
    assert.match(page.body, /name="prompt" value="login"/);
    const posted = await session.submit(page, { email, password, action: 'login' });
    return { session, page, posted };
  }

  /** Signed in: the login post is accepted and the browser ends at the client with a code. */
  async function assertSignsIn(email: string, password: string): Promise<void> {
    const { session, posted } = await signIn(email, password);
    assert.equal(posted.status, 303, `login answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    const end = await session.follow(posted.location!, atCallback);
    assert.ok(end.location, `did not reach the client: ${end.status} ${end.body.slice(0, 200)}`);
    assert.ok(new URL(end.location).searchParams.get('code'), end.location);
  }

  async function openForm(session: PageSession, path: string): Promise<PageResponse> {
    const page = await session.request(`${base}${path}`);
    assert.equal(page.status, 200, `${path}: ${page.body.slice(0, 300)}`);
    return page;
  }

  it('registers, refuses sign-in until verified, resends from the login page, and verifies by a POST after the link', async function () {
    const email = 'newcomer@example.com';
    const session = new PageSession();
    const form = await openForm(session, '/account/register');
    const registered = await session.submit(form, { email, password: STRONG, name: 'New Comer' });
    assert.equal(registered.status, 303);
    assert.equal(new URL(registered.location!).pathname, '/account/register/check-email');
    const done = await session.request(registered.location!);
    assert.equal(done.status, 200);
    assert.match(done.body, /Check your mail/);

    const first = await smtp.waitFor((m) => m.rcptTo.includes(email) && /verify-email/.test(m.text ?? ''));
    assert.ok(linkIn(first, 'verify-email').startsWith(`${base}/account/verify-email?token=`));
    assert.equal((await fixture.server.store.accounts.findByEmail(email))?.emailVerified, false);

    // The login page says why and offers a new mail, as a form with CSRF.
    const { session: loginSession, posted: refused } = await signIn(email, STRONG);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /Verify your email/);
    const resent = await submitForm(loginSession, refused, '/account/verify-email/resend');
    assert.equal(resent.hidden.email, email);
    assert.ok(resent.hidden._csrf);
    assert.equal(resent.status, 303, resent.body.slice(0, 300));
    assert.equal(new URL(resent.location!).pathname, '/account/verify-email/sent');
    const second = await smtp.waitFor((m) => m !== first && m.rcptTo.includes(email));
    const link = linkIn(second, 'verify-email');
    assert.notEqual(link, linkIn(first, 'verify-email'));

    // GET only shows a button, however often a mail scanner fetches it.
    const browser = new PageSession();
    for (let i = 0; i < 2; i += 1) {
      const page = await browser.request(link);
      assert.equal(page.status, 200);
      assert.match(page.body, /<form method="post" action="\/account\/verify-email"/);
      assert.match(page.body, /<button type="submit"[^>]*>Confirm my address<\/button>/);
    }
    assert.equal((await fixture.server.store.accounts.findByEmail(email))?.emailVerified, false, 'a GET verified the address');

    // The older link was voided by the newer one.
    const stale = await browser.submit(await browser.request(linkIn(first, 'verify-email')), {});
    assert.equal(stale.status, 400);
    assert.match(stale.body, /invalid, already used or expired/);

    const page = await browser.request(link);
    const confirmed = await browser.submit(page, {});
    assert.equal(confirmed.status, 303);
    assert.equal(new URL(confirmed.location!).pathname, '/account/verify-email/done');
    assert.match((await browser.request(confirmed.location!)).body, /Email address confirmed/);
    assert.equal((await fixture.server.store.accounts.findByEmail(email))?.emailVerified, true);

    const again = await browser.submit(page, {});
    assert.equal(again.status, 400, 'a used link confirmed twice');
    assert.match(again.body, /href="\/account\/verify-email\/resend"/);

    await assertSignsIn(email, STRONG);
  });

  it('resets a password by mail: a weak password keeps the link usable, the new password signs in, the old one no longer', async function () {
    const session = new PageSession();
    const requested = await session.submit(await openForm(session, '/account/forgot-password'), { email: USER.email });
    assert.equal(requested.status, 303);
    assert.equal(new URL(requested.location!).pathname, '/account/forgot-password/sent');

    const mail = await smtp.waitFor((m) => m.rcptTo.includes(USER.email) && /reset-password/.test(m.text ?? ''));
    const link = linkIn(mail, 'reset-password');
    assert.ok(link.startsWith(`${base}/account/reset-password?token=`));
    const token = new URL(link).searchParams.get('token')!;

    const browser = new PageSession();
    const form = await browser.request(link);
    assert.equal(form.status, 200);
    assert.match(form.body, /autocomplete="new-password"/);

    const weak = await browser.submit(form, { password: 'password' });
    assert.equal(weak.status, 400);
    assert.match(weak.body, /too common/);
    assert.match(weak.body, new RegExp(`name="token" value="${token}"`), 'the form lost its token');

    const sameAsEmail = await browser.submit(weak, { password: USER.email });
    assert.equal(sameAsEmail.status, 400);
    assert.match(sameAsEmail.body, /must not be your email/);

    const changed = await browser.submit(sameAsEmail, { password: STRONG });
    assert.equal(changed.status, 303, changed.body.slice(0, 300));
    assert.equal(new URL(changed.location!).pathname, '/account/reset-password/done');
    assert.match((await browser.request(changed.location!)).body, /Password changed/);

    const reused = await browser.submit(form, { password: 'another strong passphrase here' });
    assert.equal(reused.status, 400);
    assert.match(reused.body, /invalid, already used or expired/);
    assert.match(reused.body, /href="\/account\/forgot-password"/);

    const { posted: old } = await signIn(USER.email, USER.password);
    assert.equal(old.status, 401, 'the old password still signs in');
    await assertSignsIn(USER.email, STRONG);
  });

  it('builds mail links from PUBLIC_URL whatever Host and X-Forwarded-Host the request carries', async function () {
    const email = 'host-header@example.com';
    const agent = request.agent(base);
    const page = await agent.get('/account/register').set('Host', 'evil.example').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? assert.fail('no _csrf');
    await agent.post('/account/register').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example')
      .set('X-Forwarded-Proto', 'https').type('form').send({ _csrf: csrf, email, password: STRONG }).expect(303);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email));
    assert.ok(linkIn(mail, 'verify-email').startsWith(`${base}/account/verify-email?token=`), mail.text);
    assert.ok(!mail.raw.includes('evil.example'));
  });

  it('answers forgot-password and resend with the same redirect and page for known, unverified and unknown addresses', async function () {
    const answers = async (path: string, email: string) => {
      const session = new PageSession();
      const res = await session.submit(await openForm(session, path), { email });
      assert.equal(res.status, 303, `${path} ${email}: ${res.status}`);
      const page = await session.request(res.location!);
      return { location: res.location, status: page.status, body: page.body };
    };
    for (const path of ['/account/forgot-password', '/account/verify-email/resend']) {
      const known = await answers(path, USER.email);
      const unknown = await answers(path, 'nobody-here@example.com');
      const unverified = await answers(path, UNVERIFIED);
      assert.deepEqual(unknown, known, path);
      assert.deepEqual(unverified, known, path);
      assert.match(known.body, /If (an account exists|that address has an account)/);
    }
    // Only the unverified account is sent a new confirmation link.
    await smtp.waitFor((m) => m.rcptTo.includes(UNVERIFIED) && /verify-email/.test(m.text ?? ''));
    assert.ok(!smtp.messages.some((m) => m.rcptTo.includes('nobody-here@example.com')), 'mail went to an unknown address');
    assert.ok(!smtp.messages.some((m) => m.rcptTo.includes(USER.email) && /verify-email/.test(m.text ?? '')), 'a verified account was sent a link');
  });

  it('refuses every form post without a matching CSRF token (403)', async function () {
    const posts: Array<[string, Record<string, string>]> = [
      ['/account/register', { email: 'csrf@example.com', password: STRONG }],
      ['/account/forgot-password', { email: USER.email }],
      ['/account/reset-password', { token: 'x'.repeat(43), password: STRONG }],
      ['/account/verify-email', { token: 'x'.repeat(43) }],
      ['/account/verify-email/resend', { email: USER.email }],
    ];
    for (const [path, form] of posts) {
      const session = new PageSession();
      const none = await session.request(`${base}${path}`, { form });
      assert.equal(none.status, 403, `${path} without cookie or field`);
      await session.request(`${base}/account/register`); // now holds a CSRF cookie
      const missing = await session.request(`${base}${path}`, { form });
      assert.equal(missing.status, 403, `${path} without the field`);
      const wrong = await session.request(`${base}${path}`, { form: { ...form, _csrf: 'A'.repeat(43) } });
      assert.equal(wrong.status, 403, `${path} with a wrong token`);
      assert.match(wrong.body, /Request refused/);
    }
    assert.equal(await fixture.server.store.accounts.findByEmail('csrf@example.com'), undefined);
  });

  it('sends the security headers and no inline script or style on every account page', async function () {
    const paths = [
      '/account/register', '/account/register/check-email', '/account/register/done',
      '/account/forgot-password', '/account/forgot-password/sent',
      `/account/reset-password?token=${'a'.repeat(43)}`, '/account/reset-password', '/account/reset-password/done',
      `/account/verify-email?token=${'a'.repeat(43)}`, '/account/verify-email', '/account/verify-email/done',
      '/account/verify-email/resend', '/account/verify-email/sent',
    ];
    for (const path of paths) {
      const res = await fetch(`${base}${path}`);
      const html = await res.text();
      assert.ok(res.status === 200 || res.status === 400, `${path}: ${res.status}`);
      assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.doesNotMatch(html, /<script|<style|\sstyle=|\son\w+=/i, path);
      for (const input of html.matchAll(/<input[^>]*type="(?:email|password|text)"[^>]*>/g)) {
        const id = /id="([^"]+)"/.exec(input[0])?.[1] ?? assert.fail(`input without id on ${path}`);
        assert.match(html, new RegExp(`<label for="${id}"`), `${path}: no label for #${id}`);
        assert.match(input[0], /autocomplete="/, `${path}: #${id} has no autocomplete`);
      }
    }
  });

  it('validates the forms: 400 with a reason for empty, malformed, weak and too long input; 409 for a taken address', async function () {
    const session = new PageSession();
    const form = await openForm(session, '/account/register');
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ email: '', password: STRONG }, 400, /Enter your email address/],
      [{ email: 'not-an-address', password: STRONG }, 400, /Enter a valid email address/],
      [{ email: 'v@example.com', password: '' }, 400, /Enter a password/],
      [{ email: 'v@example.com', password: 'short' }, 400, /at least 8 characters/],
      [{ email: 'v@example.com', password: 'x'.repeat(257) }, 400, /at most 256 characters/],
      [{ email: 'v@example.com', password: 'x'.repeat(5000) }, 400, /at most 256 characters/],
      [{ email: `${'a'.repeat(320)}@example.com`, password: STRONG }, 400, /too long/],
      [{ email: 'v@example.com', password: STRONG, name: 'n'.repeat(201) }, 400, /at most 200 characters/],
      [{ email: USER.email, password: STRONG }, 409, /already exists/],
    ];
    for (const [fields, status, reason] of cases) {
      const res = await session.submit(form, fields);
      assert.equal(res.status, status, `${JSON.stringify(fields).slice(0, 80)}: ${res.status}`);
      assert.match(res.body, reason);
      assert.match(res.body, /class="error" id="form-error" role="alert"/);
    }
    assert.equal(await fixture.server.store.accounts.findByEmail('v@example.com'), undefined);
  });

  it('escapes user input echoed back into a page', async function () {
    const session = new PageSession();
    const form = await openForm(session, '/account/register');
    const res = await session.submit(form, { email: `"${HOSTILE}"@example.com`, password: STRONG, name: HOSTILE });
    assert.equal(res.status, 400);
    assert.ok(!res.body.includes(HOSTILE), 'raw markup echoed');
    assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the value was not kept, escaped');

    const taken = await session.submit(form, { email: USER.email, password: STRONG, name: `"><img src=x onerror=alert(1)>` });
    assert.equal(taken.status, 409);
    assert.ok(!taken.body.includes('<img'), 'raw markup echoed');
  });

  it('shows a clear page for a missing, malformed or unknown token, without reflecting it', async function () {
    for (const path of ['/account/reset-password', '/account/verify-email']) {
      for (const query of ['', `?token=${encodeURIComponent(HOSTILE)}`, '?token=a&token=b']) {
        const res = await fetch(`${base}${path}${query}`);
        const html = await res.text();
        assert.equal(res.status, 400, `${path}${query}`);
        assert.match(html, /This link does not work/);
        assert.ok(!html.includes(HOSTILE) && !html.includes('&lt;script'), 'token reflected');
      }
    }
    const browser = new PageSession();
    const unknown = 'u'.repeat(43);
    const reset = await browser.submit(await openForm(browser, `/account/reset-password?token=${unknown}`), { password: STRONG });
    assert.equal(reset.status, 400);
    assert.match(reset.body, /This link does not work/);
    const verify = await browser.submit(await openForm(browser, `/account/verify-email?token=${unknown}`), {});
    assert.equal(verify.status, 400);
    assert.match(verify.body, /This link does not work/);
  });

  it('answers 429 with Retry-After once an address has asked for too many mails', async function () {
    const session = new PageSession();
    const form = await openForm(session, '/account/forgot-password');
    const email = 'limited@example.com';
    for (let i = 0; i < MAIL_PER_EMAIL; i += 1) assert.equal((await session.submit(form, { email })).status, 303);
    const limited = await session.submit(form, { email });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'no Retry-After');
    assert.match(limited.body, /Too many attempts/);
    assert.match(limited.body, new RegExp(`value="${email}"`), 'the address was not kept in the form');
  });

  it('keeps a way back to the sign-in page, and only into a sign-in of this server', async function () {
    const { page: login } = await signIn('nobody@example.com', 'irrelevant password');
    // The way back is the authorization request itself (src/pages/interaction/load.ts signInReturnPath).
    const href = /href="\/account\/forgot-password\?return_to=([^"]+)"/.exec(login.body)?.[1] ?? assert.fail('no forgot-password link');
    const back = decodeURIComponent(href);
    assert.match(back, /^\/oidc\/auth\?/);
    assert.equal(new URL(back, base).searchParams.get('client_id'), CLIENTS.firstParty.client_id);
    assert.equal(href, encodeURIComponent(back));
    assert.ok(login.body.includes(`href="/account/register?return_to=${href}"`));

    const session = new PageSession();
    const form = await openForm(session, `/account/forgot-password?return_to=${encodeURIComponent(back)}`);
    const backLink = `<a href="${back.replace(/&/g, '&amp;')}">Back to sign in</a>`;
    assert.ok(form.body.includes(backLink));
    const sent = await session.submit(form, { email: 'back@example.com' });
    assert.equal(sent.status, 303);
    assert.ok((await session.request(sent.location!)).body.includes(backLink));

    for (const hostile of ['https://evil.example/', '//evil.example', '/interaction/x/../../evil', 'javascript:alert(1)']) {
      const page = await openForm(new PageSession(), `/account/register?return_to=${encodeURIComponent(hostile)}`);
      assert.doesNotMatch(page.body, /Back to sign in/, hostile);
      assert.doesNotMatch(page.body, /name="return_to"/, hostile);
    }
  });
});
