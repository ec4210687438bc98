// URLs come from PUBLIC_URL only, whatever Host, X-Forwarded-Host,
// X-Forwarded-Proto or absolute request target a client sends (API.md,
// "Browsers and other origins"); API answers are never cached; under an https
// PUBLIC_URL every answer carries HSTS and every cookie is Secure with a
// prefixed name. Attacks are sent as raw requests, headers forged.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import * as oidc from 'openid-client';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { api, bearer, login } from '../support/api.ts';
import { CLIENTS, USER } from '../oidc/fixtures.ts';

// An https server takes no plain-http redirect URI (client-policies.ts), so
// the first-party client here calls back to an https address; nothing listens
// there, the tests read the redirect.
const CALLBACK = 'https://app.example.test/callback';
const FIRST_PARTY = { ...CLIENTS.firstParty, redirect_uris: [CALLBACK] };

const DISCOVERY = '/oidc/.well-known/openid-configuration';
const FORGED = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http', 'X-Forwarded-For': '203.0.113.1' };

/** Every URL-valued member of a discovery document. */
function urlsOf(doc: Record<string, unknown>): string[] {
  return Object.values(doc).filter((v): v is string => typeof v === 'string' && /^https?:\/\//.test(v));
}

/** A raw GET with an absolute-form request target (RFC 9112 §3.2.2), which fetch cannot send. */
function getAbsoluteForm(server: TestServer, target: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: target, headers: { host: 'evil.example' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

for (const hops of ['0', '1']) {
  describe(`discovery with forged Host and X-Forwarded-Host, TRUST_PROXY_HOPS=${hops}`, function () {
    let server: TestServer;
    const PUBLIC = 'https://id.example.test';
    before(async () => {
      server = await startTestServer({ env: { PUBLIC_URL: PUBLIC, TRUST_PROXY_HOPS: hops }, clients: [FIRST_PARTY] });
    });
    after(async () => server?.close());

    it('names only PUBLIC_URL endpoints', async () => {
      for (const headers of [{ Host: 'evil.example' }, { 'X-Forwarded-Host': 'evil.example' }, FORGED]) {
        const res = await api(server).get(DISCOVERY).set(headers);
        assert.equal(res.status, 200);
        assert.equal(res.body.issuer, `${PUBLIC}/oidc`);
        assert.equal(res.body.token_endpoint, `${PUBLIC}/oidc/token`);
        for (const url of urlsOf(res.body)) assert.ok(url.startsWith(`${PUBLIC}/`), `${JSON.stringify(headers)}: ${url}`);
      }
    });

    it('names only PUBLIC_URL endpoints for an absolute-form request target naming another host', async () => {
      const res = await getAbsoluteForm(server, `http://evil.example${DISCOVERY}`);
      assert.equal(res.status, 200);
      const doc = JSON.parse(res.body) as Record<string, unknown>;
      for (const url of urlsOf(doc)) assert.ok(url.startsWith(`${PUBLIC}/`), url);
    });

    it('redirects an authorization request to the interaction page on PUBLIC_URL', async () => {
      const res = await api(server).get('/oidc/auth').set(FORGED).query({
        client_id: CLIENTS.firstParty.client_id, response_type: 'code', scope: 'openid', redirect_uri: CALLBACK,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
      });
      assert.equal(res.status, 303);
      assert.match(res.headers.location as string, new RegExp(`^(${PUBLIC})?/interaction/`));
    });
  });
}

describe('/api/v1 answers are never cached', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('sends Cache-Control: no-store on successes and on every kind of error', async () => {
    const email = `cache-${Date.now()}@example.com`;
    await createTestAccount(server, { email, password: USER.password });
    const tokens = await login(server, { email, password: USER.password });
    const answers = await Promise.all([
      api(server).post('/api/v1/auth/login').send({ email, password: USER.password }),
      api(server).get('/api/v1/me').set(bearer(tokens.access_token)),
      api(server).get('/api/v1/me'),
      api(server).get('/api/v1/no-such-route'),
      api(server).post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email":'),
      api(server).post('/api/v1/auth/register').send({ email: 'x' }),
    ]);
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 401, 404, 400, 400]);
    for (const res of answers) assert.equal(res.headers['cache-control'], 'no-store', `${res.status} ${JSON.stringify(res.body)}`);
  });

  it('sends no HSTS when PUBLIC_URL is http', async () => {
    const res = await api(server).get('/health');
    assert.equal(res.headers['strict-transport-security'], undefined);
  });
});

/** PageSession for a server whose PUBLIC_URL is not where it listens: public URLs are sent to the local port. */
class LocalSession extends PageSession {
  readonly setCookies: string[] = [];
  private readonly publicUrl: string;
  private readonly localUrl: string;
  constructor(publicUrl: string, localUrl: string) {
    super();
    this.publicUrl = publicUrl;
    this.localUrl = localUrl;
  }
  override async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<PageResponse> {
    const res = await super.request(url.startsWith(this.publicUrl) ? this.localUrl + url.slice(this.publicUrl.length) : url, init);
    this.setCookies.push(...res.headers.getSetCookie());
    return res;
  }
}

describe('an https PUBLIC_URL', function () {
  const PUBLIC = 'https://id.example.test';
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PUBLIC_URL: PUBLIC }, clients: [FIRST_PARTY] });
    await createTestAccount(server, { ...USER, emailVerified: true });
  });
  after(async () => server?.close());

  it('sends Strict-Transport-Security on every answer: pages, API, OAuth, errors', async () => {
    const paths = ['/health', '/account/register', '/api/v1/me', '/api/v1/nowhere', DISCOVERY, '/oidc/token', '/no-such-page'];
    const answers = await Promise.all(paths.map((path) => (path === '/oidc/token'
      ? api(server).post(path).type('form').send({ grant_type: 'nonsense' })
      : api(server).get(path))));
    answers.forEach((res, i) => {
      assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', `${res.status} ${paths[i]}`);
    });
  });

  it('sets every cookie of a browser sign-in Secure, under a __Host- or __Secure- name', async () => {
    const session = new LocalSession(PUBLIC, server.url);
    const metadata = (await api(server).get(DISCOVERY)).body as oidc.ServerMetadata;
    const config = new oidc.Configuration(metadata, CLIENTS.firstParty.client_id, CLIENTS.firstParty.client_secret);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const atCallback = (location: string) => location.startsWith(CALLBACK);
    const page = await session.follow(url.href, atCallback);
    assert.equal(page.status, 200, page.body.slice(0, 300));
    const posted = await session.submit(page, { email: USER.email, password: USER.password, action: 'login' });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    const done = await session.follow(posted.location!, atCallback);
    assert.ok(done.location?.startsWith(CALLBACK), `ended at ${done.status} ${done.location}`);

    const names = session.setCookies.map((c) => c.slice(0, c.indexOf('=')));
    for (const expected of ['__Host-session', '__Secure-interaction', '__Secure-interaction_resume', '__Host-gatehouse.csrf']) {
      assert.ok(names.includes(expected), `no ${expected} among ${names.join(', ')}`);
    }
    for (const cookie of session.setCookies) {
      assert.match(cookie, /; secure/i, cookie);
      assert.match(cookie, /^__(Host|Secure)-/, cookie);
      // RFC 6265bis §4.1.3.2: a __Host- cookie has Path=/ and no Domain.
      if (cookie.startsWith('__Host-')) {
        assert.match(cookie, /; path=\/(;|$)/i, cookie);
        assert.doesNotMatch(cookie, /; domain=/i, cookie);
      }
    }
  });
});
