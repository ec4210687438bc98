// Branding on the pages over HTTP (product name, logo, accent stylesheet, CSP
// for the logo's origin only, TEMPLATES_DIR overrides), and the consent
// page's details: the signed-in account with a way to switch, the client's
// logo and its policy and terms links, client-chosen URLs re-checked.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { safeClientUrl } from '../../src/pages/interaction/client-links.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const PASSWORD = 'correct horse battery staple';
const LOGO = 'https://cdn.acme.example/logo.svg';
const CLIENT_LOGO = 'https://logos.printer.example/print.png';
type Agent = ReturnType<typeof request.agent>;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field');
const imgSrc = (csp: string | undefined) => /img-src ([^;]+)/.exec(csp ?? '')?.[1] ?? assert.fail(`no img-src in ${csp}`);

function client(id: string, extra: Record<string, unknown>) {
  return {
    client_id: id, client_secret: randomBytes(32).toString('hex'), client_name: `Client ${id}`,
    redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic', ...extra,
  };
}

describe('branded pages and the consent page details', function () {
  let server: TestServer;
  let templates: string;

  before(async function () {
    templates = await mkdtemp(join(tmpdir(), 'gatehouse-page-templates-'));
    await writeFile(join(templates, 'forgot-password.eta'), [
      "<% layout('./layout', { title: 'Lost access' }) %>",
      '    <h1 id="page-title">Lost access to <%= it.brand.productName %>?</h1>',
      '    <p>Call the help desk.</p>',
    ].join('\n'));
    server = await startTestServer({
      env: { PRODUCT_NAME: 'Acme ID', LOGO_URL: LOGO, ACCENT_COLOR: '#ffcc00', TEMPLATES_DIR: templates },
      clients: [
        client('printer', { logo_uri: CLIENT_LOGO, policy_uri: 'https://printer.example/privacy', tos_uri: 'https://printer.example/terms?a=1&b=2' }),
        // Accepted by oidc-provider (a web URI), not by the consent page: plain http off loopback.
        client('plain', { logo_uri: 'http://logos.plain.example/p.png', policy_uri: 'http://plain.example/privacy' }),
      ],
    });
    await createTestAccount(server, { email: 'ann@example.com', password: PASSWORD });
    await createTestAccount(server, { email: 'bob@example.com', password: PASSWORD });
  });
  after(async () => {
    await server?.close();
    await rm(templates, { recursive: true, force: true });
  });

  async function begin(agent: Agent, clientId: string, extra: Record<string, string> = {}): Promise<{ path: string; html: string }> {
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const auth = await agent.get('/oidc/auth').query({
      client_id: clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid email',
      state: 'st4te', code_challenge: challenge, code_challenge_method: 'S256', ...extra,
    });
    assert.equal(auth.status, 303);
    const path = auth.headers.location!;
    const page = await agent.get(path).expect(200);
    return { path, html: page.text };
  }

  async function toConsent(agent: Agent, clientId: string) {
    const login = await begin(agent, clientId);
    const posted = await agent.post(login.path).type('form').send({ _csrf: csrfOf(login.html), prompt: 'login', email: 'ann@example.com', password: PASSWORD });
    assert.equal(posted.status, 303);
    const resumed = await agent.get(new URL(posted.headers.location!).pathname);
    assert.equal(resumed.status, 303);
    const page = await agent.get(resumed.headers.location!).expect(200);
    assert.match(page.text, /Allow access/);
    return { path: resumed.headers.location!, html: page.text, res: page };
  }

  it('names the product and shows the logo on every page, its origin alone added to img-src', async function () {
    for (const path of ['/account/register', '/account/verify-email/resend', '/docs']) {
      const res = await request(server.url).get(path).expect(200);
      assert.match(res.text, /<title>[^<]+ · Acme ID<\/title>/, path);
      assert.ok(res.text.includes(`<img class="brand-logo" src="${LOGO}" alt=""`), path);
      // The API reference keeps the OpenAPI document's own title (the software's name).
      if (path !== '/docs') assert.doesNotMatch(res.text, /Gatehouse/, path);
      assert.equal(imgSrc(res.headers['content-security-policy']), "'self' data: https://cdn.acme.example", path);
      assert.doesNotMatch(res.text, /style=|<style/i, path);
    }
    const api = await request(server.url).get('/api/v1/nonexistent');
    assert.equal(imgSrc(api.headers['content-security-policy']), "'self' data: https://cdn.acme.example");
  });

  it('serves the accent colour as /assets/brand.css, darkened where it would not be readable', async function () {
    const css = await request(server.url).get('/assets/brand.css').expect(200).expect('content-type', /text\/css/);
    const light = /--accent: (#[0-9a-f]{6}); --accent-text: (#[0-9a-f]{6})/.exec(css.text) ?? assert.fail(css.text);
    // #ffcc00 on white is 1.6:1: a darker shade of it is used, with white labels.
    assert.notEqual(light[1], '#ffcc00');
    assert.match(css.text, /prefers-color-scheme: dark/);
    const page = await request(server.url).get('/account/register');
    assert.match(page.text, /<link rel="stylesheet" href="\/assets\/app.css">\s*<link rel="stylesheet" href="\/assets\/brand.css">/);
  });

  it('takes a page from TEMPLATES_DIR, with the shipped layout, and the shipped page when none is there', async function () {
    const custom = await request(server.url).get('/account/forgot-password').expect(200);
    assert.match(custom.text, /<h1 id="page-title">Lost access to Acme ID\?<\/h1>/);
    assert.match(custom.text, /<title>Lost access · Acme ID<\/title>/);
    assert.match(custom.text, /href="\/assets\/brand.css"/);
    const shipped = await request(server.url).get('/account/register').expect(200);
    assert.match(shipped.text, /One Acme ID account signs you in/);
  });

  it('shows the signed-in account, the client logo and its policy and terms links on consent; the logo origin only there', async function () {
    const agent = request.agent(server.url);
    const { html, res } = await toConsent(agent, 'printer');
    assert.match(html, /Signed in as <strong>ann@example\.com<\/strong>/);
    assert.ok(html.includes(`<img class="client-logo" src="${CLIENT_LOGO}" alt="Client printer logo"`));
    assert.ok(html.includes('<a href="https://printer.example/privacy" target="_blank" rel="noopener noreferrer">privacy policy</a>'));
    assert.ok(html.includes('<a href="https://printer.example/terms?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">terms of service</a>'));
    assert.equal(imgSrc(res.headers['content-security-policy']), "'self' data: https://cdn.acme.example https://logos.printer.example");
    // The login page of the same client does not widen the policy.
    const login = await begin(request.agent(server.url), 'printer');
    assert.ok(!login.html.includes(CLIENT_LOGO));
    const again = await request.agent(server.url).get('/account/register');
    assert.doesNotMatch(again.headers['content-security-policy']!, /logos\.printer/);
  });

  it('leaves out a client logo and policy served over plain http, and adds nothing to the CSP', async function () {
    const { html, res } = await toConsent(request.agent(server.url), 'plain');
    assert.doesNotMatch(html, /plain\.example/);
    assert.doesNotMatch(html, /client-logo|privacy policy/);
    assert.equal(imgSrc(res.headers['content-security-policy']), "'self' data: https://cdn.acme.example");
  });

  it('lets someone else sign in from the consent page (prompt=login), without JavaScript', async function () {
    const agent = request.agent(server.url);
    const { html } = await toConsent(agent, 'printer');
    const href = (/href="([^"]+)">not you\? Use another account/.exec(html)?.[1] ?? assert.fail('no switch link')).replaceAll('&amp;', '&');
    const url = new URL(href, server.url);
    assert.equal(url.pathname, '/oidc/auth');
    assert.equal(url.searchParams.get('prompt'), 'login');
    assert.equal(url.searchParams.get('client_id'), 'printer');
    const restarted = await agent.get(`${url.pathname}${url.search}`);
    assert.equal(restarted.status, 303);
    const page = await agent.get(restarted.headers.location!).expect(200);
    assert.match(page.text, /<h1 id="page-title">Sign in<\/h1>/);
    // Bob signs in on the same browser and is asked for his own consent.
    const posted = await agent.post(restarted.headers.location!).type('form')
      .send({ _csrf: csrfOf(page.text), prompt: 'login', email: 'bob@example.com', password: PASSWORD });
    assert.equal(posted.status, 303);
    // oidc-provider first ends Ann's session: its auto-submitting form, with a
    // Continue button for a browser without JavaScript; posting it resumes.
    const ending = await agent.get(new URL(posted.headers.location!).pathname);
    assert.equal(ending.status, 200);
    const action = /<form method="post" action="([^"]+)"/.exec(ending.text)?.[1] ?? assert.fail('no end-session form');
    assert.match(ending.text, /<noscript>[\s\S]*<button autofocus type="submit">Continue<\/button>/);
    const fields = Object.fromEntries([...ending.text.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const ended = await agent.post(new URL(action).pathname).type('form').send(fields);
    assert.equal(ended.status, 303);
    const resumed = await agent.get(new URL(ended.headers.location!, server.url).pathname);
    assert.equal(resumed.status, 303);
    const consent = await agent.get(resumed.headers.location!).expect(200);
    assert.match(consent.text, /Signed in as <strong>bob@example\.com<\/strong>/);
  });

  it('links only to https (or loopback http outside production), never javascript:, data: or credentials', function () {
    const dev = { allowLoopbackHttp: true };
    const prod = { allowLoopbackHttp: false };
    assert.equal(safeClientUrl('https://a.example/p', prod), 'https://a.example/p');
    assert.equal(safeClientUrl('http://127.0.0.1:8080/p', dev), 'http://127.0.0.1:8080/p');
    assert.equal(safeClientUrl('http://localhost/p', prod), undefined);
    for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', 'http://a.example/p',
      '/relative', '//a.example/p', 'https://user:pass@a.example/', 'vbscript:x', 42, undefined]) {
      assert.equal(safeClientUrl(bad, dev), undefined, String(bad));
    }
  });

  it('keeps the default policy when no logo is configured', async function () {
    const plain = await startTestServer();
    try {
      const res = await request(plain.url).get('/account/register').expect(200);
      assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.match(res.text, /<title>Create an account · Gatehouse<\/title>/);
      assert.doesNotMatch(res.text, /<img/);
    } finally {
      await plain.close();
    }
  });
});
