// The interaction pages over HTTP: security headers, escaping, CSRF, the
// login/consent/cancel posts and their 303s, and oidc-provider's own pages
// drawn with our views.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const HOSTILE_NAME = '<script>alert(1)</script>';
const PASSWORD = 'correct horse battery staple';
type Agent = ReturnType<typeof request.agent>;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field');

describe('interaction pages', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer({
      clients: [{
        client_id: 'hostile', client_secret: randomBytes(32).toString('hex'), client_name: HOSTILE_NAME,
        redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
    await createTestAccount(server, { email: 'ann@example.com', password: PASSWORD });
    await createTestAccount(server, { email: 'new@example.com', password: PASSWORD, emailVerified: false });
    const disabled = await createTestAccount(server, { email: 'off@example.com', password: PASSWORD });
    await server.store.accounts.update(disabled.id, { disabled: true });
  });
  after(async () => server?.close());

  /** Start an authorization request; resolves to the interaction page's path and its HTML. */
  async function begin(agent: Agent): Promise<{ path: string; html: string }> {
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const auth = await agent.get('/oidc/auth').query({
      client_id: 'hostile', response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid email',
      state: 'st4te', code_challenge: challenge, code_challenge_method: 'S256',
    });
    assert.equal(auth.status, 303);
    const path = auth.headers.location!;
    assert.match(path, /^\/interaction\/[\w-]+$/);
    const page = await agent.get(path).expect(200);
    return { path, html: page.text };
  }

  const postLogin = (agent: Agent, path: string, html: string, fields: Record<string, string>) =>
    agent.post(path).type('form').send({ _csrf: csrfOf(html), prompt: 'login', ...fields });

  /** Log in and follow oidc-provider's resume redirect to the consent page. */
  async function toConsent(agent: Agent): Promise<{ path: string; html: string }> {
    const login = await begin(agent);
    const posted = await postLogin(agent, login.path, login.html, { email: 'ann@example.com', password: PASSWORD });
    assert.equal(posted.status, 303);
    const resumed = await agent.get(new URL(posted.headers.location!).pathname);
    assert.equal(resumed.status, 303);
    const page = await agent.get(resumed.headers.location!).expect(200);
    assert.match(page.text, /Allow access/);
    return { path: resumed.headers.location!, html: page.text };
  }

  it('sets the security headers on interaction pages and on discovery', async function () {
    const agent = request.agent(server.url);
    const { path } = await begin(agent);
    for (const res of [await agent.get(path), await agent.get('/oidc/.well-known/openid-configuration')]) {
      assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.doesNotMatch(res.headers['content-security-policy']!, /form-action/);
      assert.match(res.headers['content-security-policy']!, /frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
    }
  });

  it('escapes a hostile client_name on the login and consent pages', async function () {
    const agent = request.agent(server.url);
    const { html: login } = await begin(agent);
    const { html: consent } = await toConsent(agent);
    for (const html of [login, consent]) {
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.ok(!html.includes(HOSTILE_NAME));
      // The one script allowed is the passkey button's same-origin file.
      assert.doesNotMatch(html.replace('<script src="/assets/passkey.js" defer></script>', ''), /<script|style=|<style/i);
    }
    assert.match(consent, /<code>email<\/code>/);
  });

  it('refuses a login post without, or with a wrong, _csrf field (403)', async function () {
    const agent = request.agent(server.url);
    const { path, html } = await begin(agent);
    const credentials = { email: 'ann@example.com', password: PASSWORD, prompt: 'login' };
    const missing = await agent.post(path).type('form').send(credentials);
    assert.equal(missing.status, 403);
    assert.match(missing.text, /Request refused/);
    const wrong = await agent.post(path).type('form').send({ ...credentials, _csrf: `${csrfOf(html).slice(1)}x` });
    assert.equal(wrong.status, 403);
    // The field without the cookie (a cross-site post) is refused too.
    const noCookie = await request(server.url).post(path).type('form').send({ ...credentials, _csrf: csrfOf(html) });
    assert.equal(noCookie.status, 403);
    // Nothing was finished by the refused posts: the real form still works.
    assert.equal((await postLogin(agent, path, html, credentials)).status, 303);
  });

  it('re-renders login with 401 and one generic message for a wrong password or unknown email', async function () {
    const agent = request.agent(server.url);
    const { path, html } = await begin(agent);
    const wrong = await postLogin(agent, path, html, { email: 'ann@example.com', password: 'not the password' });
    const unknown = await postLogin(agent, path, html, { email: 'nobody@example.com', password: PASSWORD });
    for (const [res, email] of [[wrong, 'ann@example.com'], [unknown, 'nobody@example.com']] as const) {
      assert.equal(res.status, 401);
      assert.match(res.text, /Invalid email or password\./);
      assert.ok(res.text.includes(`value="${email}"`), 'keeps the typed email');
      assert.doesNotMatch(res.text, /value="not the password"|correct horse/);
    }
  });

  it('refuses a disabled account with 403 only after a correct password', async function () {
    const agent = request.agent(server.url);
    const { path, html } = await begin(agent);
    const wrong = await postLogin(agent, path, html, { email: 'off@example.com', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /Invalid email or password\./);
    const right = await postLogin(agent, path, html, { email: 'off@example.com', password: PASSWORD });
    assert.equal(right.status, 403);
    assert.match(right.text, /This account is disabled\./);
  });

  it('tells an unverified account to verify its email first (403)', async function () {
    const agent = request.agent(server.url);
    const { path, html } = await begin(agent);
    const res = await postLogin(agent, path, html, { email: 'new@example.com', password: PASSWORD });
    assert.equal(res.status, 403);
    assert.match(res.text, /Verify your email before signing in/);
    assert.match(res.text, /new verification mail can be requested/);
  });

  it('answers login and consent posts with 303 and lands on the redirect_uri with a code', async function () {
    const agent = request.agent(server.url);
    const consent = await toConsent(agent);
    const allowed = await agent.post(consent.path).type('form').send({ _csrf: csrfOf(consent.html), prompt: 'consent', action: 'allow' });
    assert.equal(allowed.status, 303);
    assert.match(allowed.headers.location!, new RegExp(`^${server.issuer}/auth/`));
    const done = await agent.get(new URL(allowed.headers.location!).pathname);
    assert.equal(done.status, 303);
    const target = new URL(done.headers.location!);
    assert.equal(`${target.origin}${target.pathname}`, REDIRECT_URI);
    assert.ok(target.searchParams.get('code'));
    assert.equal(target.searchParams.get('state'), 'st4te');
  });

  it('answers Cancel with 303 and access_denied for the client', async function () {
    const agent = request.agent(server.url);
    const { path, html } = await begin(agent);
    const cancelled = await agent.post(path).type('form').send({ _csrf: csrfOf(html), prompt: 'login', action: 'cancel' });
    assert.equal(cancelled.status, 303);
    const done = await agent.get(new URL(cancelled.headers.location!).pathname);
    const target = new URL(done.headers.location!);
    assert.equal(target.searchParams.get('error'), 'access_denied');
    assert.equal(target.searchParams.get('state'), 'st4te');
  });

  it('does not take a stale login form posted during consent as an approval', async function () {
    const agent = request.agent(server.url);
    const consent = await toConsent(agent);
    const res = await postLogin(agent, consent.path, consent.html, { email: 'ann@example.com', password: PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, consent.path);
  });

  it('answers an unknown interaction with a 400 page and no stack trace', async function () {
    const agent = request.agent(server.url);
    const { html } = await begin(agent);
    const got = await agent.get('/interaction/doesnotexist');
    const posted = await agent.post('/interaction/doesnotexist').type('form').send({ _csrf: csrfOf(html), prompt: 'login' });
    for (const res of [got, posted]) {
      assert.equal(res.status, 400);
      assert.match(res.headers['content-type']!, /^text\/html; charset=utf-8/);
      assert.match(res.text, /expired or is no longer valid/);
      assert.doesNotMatch(res.text, /SessionNotFound|node_modules|\bat .+:\d+:\d+/);
    }
  });

  it('refuses non-form and oversized bodies (415, 413)', async function () {
    const agent = request.agent(server.url);
    const { path } = await begin(agent);
    assert.equal((await agent.post(path).type('json').send({ email: 'a' })).status, 415);
    assert.equal((await agent.post(path).type('form').send({ email: 'a'.repeat(70 * 1024) })).status, 413);
  });

  it("draws oidc-provider's error and logout pages with our views", async function () {
    const error = await request(server.url).get('/oidc/auth').query({ client_id: 'no-such-client', response_type: 'code' }).set('Accept', 'text/html');
    assert.equal(error.status, 400);
    assert.match(error.text, /href="\/assets\/app\.css"/);
    assert.match(error.text, /<code>invalid_client<\/code>/);
    assert.doesNotMatch(error.text, /<style|googleapis|\bat .+:\d+:\d+/);

    // Without a session oidc-provider skips the question and auto-submits;
    // its inline script is allowed by the hash it adds to our CSP.
    const anonymous = await request(server.url).get('/oidc/session/end').expect(200);
    assert.match(anonymous.headers['content-security-policy']!, /script-src 'self' 'sha256-[\w+/=]+'/);

    const agent = request.agent(server.url);
    await toConsent(agent);
    const logout = await agent.get('/oidc/session/end').expect(200);
    assert.match(logout.text, /<form id="op.logoutForm"[^>]*>/);
    assert.match(logout.text, /form="op.logoutForm" name="logout" value="yes"/);
    assert.doesNotMatch(logout.text, /<style/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.text)?.[1] ?? assert.fail('no xsrf');
    const confirmed = await agent.post('/oidc/session/end/confirm').type('form').send({ xsrf, logout: 'yes' });
    assert.equal(confirmed.status, 303);
    const success = await agent.get(new URL(confirmed.headers.location!, server.url).pathname).expect(200);
    assert.match(success.text, /You are signed out/);
  });
});
