// The front door against the real server: `/`, the 404 that answers a
// browser with a page and everything else with API.md's envelope, the
// "Continue" link back to the pending sign-in after a reset or a
// verification (through the mail link, with real SMTP), and the refusal of
// any return_to that would lead off this server.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import request from 'supertest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { GUIDES } from '../../src/pages/docs-guides.ts';
import { signInReturnPath } from '../../src/pages/interaction/load.ts';
import { RETURN_TO_MAX_LENGTH, safeReturnTo } from '../../src/return-to.ts';
import { CALLBACK, CLIENTS, startFixture, USER, type Fixture } from '../oidc/fixtures.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../support/smtp.ts';

const STRONG = 'lantern orchard copper meadow';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

/** The mail link of this kind, query string included (return_to rides on it). */
function linkIn(mail: CapturedMail, kind: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`(\\S+/account/${kind}\\?token=\\S+)`).exec(mail.text ?? '');
  return match?.[1] ?? assert.fail(`no ${kind} link in:\n${mail.text}`);
}

/** The href of the link with this text, unescaped. */
function hrefOf(page: PageResponse, text: string): string {
  const match = new RegExp(`<a [^>]*href="([^"]*)"[^>]*>${text}</a>`).exec(page.body);
  return unescape(match?.[1] ?? assert.fail(`no "${text}" link on ${page.url}:\n${page.body}`));
}

function assertPageHeaders(res: { headers: Headers | Record<string, string | string[] | undefined> }): void {
  const get = (name: string) => (res.headers instanceof Headers ? res.headers.get(name) : res.headers[name]);
  assert.equal(get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(get('x-frame-options'), 'DENY');
  assert.equal(get('x-content-type-options'), 'nosniff');
  assert.equal(get('cache-control'), 'no-store');
}

describe('front door', function () {
  let smtp: SmtpCapture;
  let fixture: Fixture;
  let base: string;
  let rp: oidc.Configuration;

  before(async function () {
    smtp = await startSmtpCapture();
    fixture = await startFixture({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true' });
    base = fixture.server.url;
    rp = await fixture.rp(CLIENTS.firstParty);
  });
  after(async function () {
    await fixture?.server.close();
    await smtp?.close();
  });

  const atCallback = (location: string) => location.startsWith(CALLBACK);

  /** A fresh authorization request, followed to its login page. */
  async function loginPage(session: PageSession): Promise<{ page: PageResponse; state: string }> {
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: CALLBACK, scope: 'openid email', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const page = await session.follow(url.href, atCallback);
    assert.equal(page.status, 200);
    assert.match(page.body, /name="prompt" value="login"/);
    return { page, state };
  }

  describe('GET /', function () {
    it('names the server and links to sign-in, the account console and the docs', async function () {
      const res = await request(base).get('/').set('Accept', BROWSER_ACCEPT);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /text\/html/);
      assertPageHeaders(res);
      assert.match(res.text, /<h1 id="page-title">Gatehouse<\/h1>/);
      assert.match(res.text, /<a class="button primary" href="\/account">Sign in<\/a>/);
      assert.match(res.text, /<a href="\/account">Your account<\/a>/);
      assert.match(res.text, /<a href="\/docs">Developer documentation<\/a>/);
      assert.doesNotMatch(res.text, /<script|style=/);
    });

    it('the sign-in link leads to the sign-in page (through the account console, once it is mounted)', async function () {
      // /account is the account console's; until it is mounted this only
      // checks that the link is a same-origin path.
      const res = await request(base).get('/').set('Accept', BROWSER_ACCEPT);
      const href = /href="([^"]+)">Sign in</.exec(res.text)?.[1] ?? assert.fail('no sign-in link');
      assert.equal(new URL(href, base).origin, new URL(base).origin);
    });
  });

  describe('docs guides', function () {
    it('each guide is a page naming this server\'s API resource, linked from /docs; an unknown guide is a 404', async function () {
      const docs = await request(base).get('/docs').set('Accept', BROWSER_ACCEPT);
      for (const guide of GUIDES) {
        assert.ok(docs.text.includes(`href="/docs/guides/${guide.slug}"`), `/docs does not link ${guide.slug}`);
        const res = await request(base).get(`/docs/guides/${guide.slug}`).set('Accept', BROWSER_ACCEPT);
        assert.equal(res.status, 200, guide.slug);
        assertPageHeaders(res);
        assert.ok(res.text.includes(`<h1 id="page-title">${guide.title}</h1>`), guide.slug);
        assert.ok(res.text.includes(fixture.server.config.apiAudience) || res.text.includes(encodeURIComponent(fixture.server.config.apiAudience)), `${guide.slug}: no API resource`);
      }
      const unknown = await request(base).get('/docs/guides/nope').set('Accept', BROWSER_ACCEPT);
      assert.equal(unknown.status, 404);
      assert.match(unknown.text, /Page not found/);
    });
  });

  describe('404', function () {
    it('a browser gets the site\'s 404 page, with the pages\' headers, the path escaped', async function () {
      for (const path of ['/no-such-page', '/account/no-such-page', '/docs/no-such-guide', '/%3Cscript%3Ealert(1)%3C/script%3E']) {
        const res = await request(base).get(path).set('Accept', BROWSER_ACCEPT);
        assert.equal(res.status, 404, path);
        assert.match(res.headers['content-type'] ?? '', /text\/html/, path);
        assertPageHeaders(res);
        assert.match(res.text, /<h1 id="page-title">Page not found<\/h1>/);
        assert.match(res.text, /<a href="\/">Home<\/a>/);
        assert.doesNotMatch(res.text, /<script>/, 'path reflected unescaped');
      }
    });

    it('a client asking for JSON, for anything (*/*) or for nothing gets API.md\'s envelope', async function () {
      for (const accept of ['application/json', '*/*', undefined]) {
        let req = request(base).get('/no-such-page');
        if (accept) req = req.set('Accept', accept);
        else req = req.unset('Accept');
        const res = await req;
        assert.equal(res.status, 404, String(accept));
        assert.match(res.headers['content-type'] ?? '', /application\/json/, String(accept));
        assert.equal(res.body.error.code, 'NOT_FOUND');
        assert.equal(typeof res.body.error.request_id, 'string');
        assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      }
    });

    it('/api/v1 answers JSON whatever the browser asks for', async function () {
      for (const path of ['/api/v1/no-such-route', '/api/v1', '/api']) {
        const res = await request(base).get(path).set('Accept', BROWSER_ACCEPT);
        assert.equal(res.status, 404, path);
        assert.match(res.headers['content-type'] ?? '', /application\/json/, path);
        assert.equal(res.body.error.code, 'NOT_FOUND');
        if (path.startsWith('/api/v1')) assert.equal(res.headers['cache-control'], 'no-store');
      }
    });

    it('leaves oidc-provider\'s own errors to it', async function () {
      // A known endpoint refusing a request keeps the OAuth shape, not our 404.
      const res = await request(base).get('/oidc/auth').set('Accept', 'application/json');
      assert.equal(res.status, 400);
      assert.notEqual(res.body?.error?.code, 'NOT_FOUND');
    });
  });

  describe('continuity', function () {
    it('after a reset started from a login page, "Continue" leads back to that sign-in (the link rides on the mail)', async function () {
      const session = new PageSession();
      const { page: login, state } = await loginPage(session);
      const forgot = await session.request(new URL(hrefOf(login, 'Forgot your password\\?'), base).href);
      assert.equal(forgot.status, 200);
      const back = unescape(/name="return_to" value="([^"]+)"/.exec(forgot.body)?.[1] ?? assert.fail('no return_to field'));
      assert.equal(new URL(back, base).pathname, '/oidc/auth');
      assert.equal(new URL(back, base).searchParams.get('state'), state);

      const sent = await session.submit(forgot, { email: USER.email });
      assert.equal(sent.status, 303);
      const mail = await smtp.waitFor((m) => m.rcptTo.includes(USER.email) && /reset-password/.test(m.text ?? ''));
      const link = linkIn(mail, 'reset-password');
      assert.ok(link.startsWith(`${base}/account/reset-password?token=`), link);
      assert.equal(new URL(link).searchParams.get('return_to'), back);

      // The mail is opened in a browser without the interaction's cookie.
      const browser = new PageSession();
      const form = await browser.request(link);
      assert.equal(form.status, 200);
      assert.equal(hrefOf(form, 'Back to sign in'), back);
      const reset = await browser.submit(form, { password: STRONG });
      assert.equal(reset.status, 303, reset.body.slice(0, 300));
      const done = await browser.request(reset.location!);
      assert.equal(done.status, 200);
      assert.match(done.body, /Password changed/);
      assertPageHeaders(done);
      assert.equal(hrefOf(done, 'Continue'), back);

      // "Continue" starts the same authorization request again and signs in.
      const again = await browser.follow(new URL(back, base).href, atCallback);
      assert.equal(again.status, 200);
      assert.match(again.body, /name="prompt" value="login"/);
      const posted = await browser.submit(again, { email: USER.email, password: STRONG, action: 'login' });
      assert.equal(posted.status, 303, posted.body.slice(0, 300));
      const end = await browser.follow(posted.location!, atCallback);
      const callback = new URL(end.location ?? assert.fail(`did not reach the client: ${end.status}`));
      assert.ok(callback.searchParams.get('code'));
      assert.equal(callback.searchParams.get('state'), state);
    });

    it('after verifying an address registered from a login page, "Continue" leads back to that sign-in', async function () {
      const email = 'continuity@example.com';
      const session = new PageSession();
      const { page: login } = await loginPage(session);
      const register = await session.request(new URL(hrefOf(login, 'Create an account'), base).href);
      const back = unescape(/name="return_to" value="([^"]+)"/.exec(register.body)?.[1] ?? assert.fail('no return_to field'));
      const registered = await session.submit(register, { email, password: STRONG, name: '' });
      assert.equal(registered.status, 303, registered.body.slice(0, 300));
      const checkMail = await session.request(registered.location!);
      assert.equal(hrefOf(checkMail, 'Back to sign in'), back);

      const mail = await smtp.waitFor((m) => m.rcptTo.includes(email) && /verify-email/.test(m.text ?? ''));
      const link = linkIn(mail, 'verify-email');
      assert.equal(new URL(link).searchParams.get('return_to'), back);
      const browser = new PageSession();
      const verified = await browser.submit(await browser.request(link), {});
      assert.equal(verified.status, 303, verified.body.slice(0, 300));
      const done = await browser.request(verified.location!);
      assert.match(done.body, /Email address confirmed/);
      assert.equal(hrefOf(done, 'Continue'), back);
    });

    it('without a pending sign-in, "Continue" leads to the account console', async function () {
      for (const path of ['/account/reset-password/done', '/account/verify-email/done', '/account/register/done']) {
        const page = await new PageSession().request(`${base}${path}`);
        assert.equal(page.status, 200, path);
        assert.equal(hrefOf(page, 'Continue'), '/account', path);
      }
    });

    it('every standalone page links to sign-in', async function () {
      const token = 't'.repeat(43);
      for (const path of [
        '/account/register', '/account/forgot-password', '/account/verify-email/resend',
        `/account/reset-password?token=${token}`, `/account/verify-email?token=${token}`,
        '/account/forgot-password/sent', '/account/verify-email/sent', '/account/register/check-email', '/oidc/session/end/success',
      ]) {
        const page = await new PageSession().request(`${base}${path}`);
        assert.equal(page.status, 200, path);
        assert.equal(hrefOf(page, 'Sign in'), '/account', path);
      }
    });
  });

  describe('return_to is never an open redirect', function () {
    const HOSTILE = [
      'https://evil.example/', '//evil.example', '/\\evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)',
      ' /interaction/abc', '/interaction/abc?next=https://evil.example', '/interaction/x/../../evil', '/interaction/a\tb',
      '/oidc/auth', '/oidc/authx?client_id=a', '/oidc/auth/../../evil?client_id=a', '/oidc/auth?client_id=a#https://evil.example',
      '/oidc/token?client_id=a', '/account', `/oidc/auth?client_id=${'a'.repeat(RETURN_TO_MAX_LENGTH)}`, '',
    ];

    it('accepts only an interaction page or an authorization request of this server', function () {
      assert.equal(safeReturnTo('/interaction/AbC_-123'), '/interaction/AbC_-123');
      assert.equal(safeReturnTo('/oidc/auth?client_id=web-app&state=x%26y'), '/oidc/auth?client_id=web-app&state=x%26y');
      for (const value of [...HOSTILE, undefined, 42, ['/interaction/abc']]) assert.equal(safeReturnTo(value), undefined, JSON.stringify(value));
    });

    it('the login page returns to its authorization request, or to the interaction when the request cannot be replayed', function () {
      const details = (params: Record<string, unknown>) => ({ uid: 'Uid_1', params }) as unknown as Parameters<typeof signInReturnPath>[0];
      const back = signInReturnPath(details({ client_id: 'web-app', scope: 'openid email', resource: ['https://a.example/api'], ignored: 7 }));
      assert.equal(back, '/oidc/auth?client_id=web-app&scope=openid+email&resource=https%3A%2F%2Fa.example%2Fapi');
      // A pushed request's request_uri works once; a request object is not kept in the params.
      assert.equal(signInReturnPath(details({ client_id: 'web-app', request_uri: 'urn:ietf:params:oauth:request_uri:x' })), '/interaction/Uid_1');
      assert.equal(signInReturnPath(details({ client_id: 'web-app', request: 'eyJ…' })), '/interaction/Uid_1');
      // Longer than a return_to may be: the interaction page.
      assert.equal(signInReturnPath(details({ client_id: 'web-app', claims: 'x'.repeat(RETURN_TO_MAX_LENGTH) })), '/interaction/Uid_1');
    });

    it('the pages drop a hostile return_to: no hidden field, no link to it, and "Continue" goes to the account console', async function () {
      for (const hostile of HOSTILE.filter(Boolean)) {
        const q = `return_to=${encodeURIComponent(hostile)}`;
        const form = await new PageSession().request(`${base}/account/forgot-password?${q}`);
        assert.doesNotMatch(form.body, /name="return_to"/, hostile);
        assert.equal(hrefOf(form, 'Sign in'), '/account', hostile);
        for (const path of ['/account/reset-password/done', '/account/verify-email/done']) {
          const done = await new PageSession().request(`${base}${path}?${q}`);
          assert.equal(hrefOf(done, 'Continue'), '/account', `${path} ${hostile}`);
        }
      }
    });

    it('a hostile return_to posted with a mail request never reaches the mail link', async function () {
      const session = new PageSession();
      const form = await session.request(`${base}/account/forgot-password`);
      const sent = await session.request(`${base}/account/forgot-password`, {
        form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!, email: USER.email, return_to: 'https://evil.example/' },
      });
      assert.equal(sent.status, 303);
      assert.equal(new URL(sent.headers.get('location')!, base).search, '');
      const mail = await smtp.waitFor((m) => m.rcptTo.includes(USER.email) && /reset-password/.test(m.text ?? '') && !/return_to/.test(m.text ?? ''));
      assert.doesNotMatch(mail.text ?? '', /evil/);
      assert.doesNotMatch(mail.html ?? '', /evil/);
    });
  });
});
