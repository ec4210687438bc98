// API.md "Browsers and other origins": CORS for /api/v1 and /openapi.json
// (CORS_ORIGINS only), oidc-provider's client-based CORS, and cookie mode
// (HttpOnly token cookies, the origin check on state-changing requests,
// refresh from the cookie, logout clearing them).
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config.ts';
import { api, assertError, bearer, login } from '../support/api.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { CLIENTS } from '../oidc/fixtures.ts';

const APP = 'https://app.example.test';
const OTHER = 'https://evil.example.test';
const USER = { email: 'cors@example.com', password: 'a long and unguessable passphrase' };

/** name → the whole Set-Cookie line, of one response. */
function setCookies(res: { headers: Record<string, unknown> }): Map<string, string> {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}
const valueOf = (line: string | undefined) => line?.slice(line.indexOf('=') + 1).split(';')[0] ?? '';
const accessControl = (res: { headers: Record<string, unknown> }) => Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

describe('browsers and other origins', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clients: Object.values(CLIENTS) as never, env: { CORS_ORIGINS: `${APP}, http://localhost:5173` } });
    await createTestAccount(server, { ...USER, emailVerified: true });
  });
  after(() => server?.close());

  describe('CORS on /api/v1 and /openapi.json', function () {
    it('answers an allowed origin\'s preflight 204 with methods, headers, credentials, Max-Age and Vary: Origin', async () => {
      const res = await api(server).options('/api/v1/me').set({ Origin: APP, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'authorization, content-type' });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.deepEqual(String(res.headers['access-control-allow-methods']).split(', '), ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
      for (const header of ['Authorization', 'Content-Type', 'X-Device-Name', 'X-Device-Type', 'X-Request-Id', 'DPoP']) {
        assert.ok(String(res.headers['access-control-allow-headers']).split(', ').includes(header), header);
      }
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.match(res.headers.vary ?? '', /Origin/);
    });

    it('gives another origin no CORS header at all, on a preflight and on a request', async () => {
      const preflight = await api(server).options('/api/v1/auth/login').set({ Origin: OTHER, 'Access-Control-Request-Method': 'POST' });
      assert.deepEqual(accessControl(preflight), []);
      const res = await api(server).get('/openapi.json').set({ Origin: OTHER });
      assert.equal(res.status, 200);
      assert.deepEqual(accessControl(res), []);
      assert.match(res.headers.vary ?? '', /Origin/);
      // An origin differing only by scheme or port is another origin.
      assert.deepEqual(accessControl(await api(server).get('/openapi.json').set({ Origin: 'http://app.example.test' })), []);
    });

    it('lets an allowed origin read answers, errors included, with the headers an SPA needs exposed', async () => {
      const doc = await api(server).get('/openapi.json').set({ Origin: 'http://localhost:5173' });
      assert.equal(doc.headers['access-control-allow-origin'], 'http://localhost:5173');
      const refused = await api(server).get('/api/v1/me').set({ Origin: APP });
      assertError(refused, 401, 'UNAUTHENTICATED');
      assert.equal(refused.headers['access-control-allow-origin'], APP);
      assert.match(refused.headers['access-control-expose-headers'] ?? '', /X-Request-Id.*Retry-After.*WWW-Authenticate/);
      const { access_token } = await login(server, USER);
      const me = await api(server).get('/api/v1/me').set({ Origin: APP, ...bearer(access_token) });
      assert.equal(me.status, 200);
      assert.equal(me.headers['access-control-allow-origin'], APP);
      assert.equal(me.headers['access-control-allow-credentials'], 'true');
    });

    it('leaves the pages without CORS headers', async () => {
      assert.deepEqual(accessControl(await api(server).get('/account/register').set({ Origin: APP })), []);
    });

    it('refuses a CORS_ORIGINS entry that is not an origin, at start', () => {
      for (const bad of ['https://app.example.test/', 'https://app.example.test/path', '*', 'app.example.test', 'ftp://x.example']) {
        assert.throws(() => parseConfig({ CORS_ORIGINS: bad }), /CORS_ORIGINS entry/, bad);
      }
      assert.deepEqual(parseConfig({ CORS_ORIGINS: 'https://A.example.test, https://a.example.test:8443' }).corsOrigins, ['https://a.example.test', 'https://a.example.test:8443']);
    });
  });

  describe('client-based CORS at the token endpoint', function () {
    const token = (origin: string, client: { client_id: string; client_secret?: string }) => {
      const req = api(server).post('/oidc/token').type('form').set('Origin', origin);
      const form = { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: CLIENTS.spa.redirect_uris[0], code_verifier: 'x'.repeat(43) };
      return client.client_secret
        ? req.auth(client.client_id, client.client_secret).send(form)
        : req.send({ ...form, client_id: client.client_id });
    };

    it('allows a public client\'s redirect origin and CORS_ORIGINS, and refuses others', async () => {
      const redirectOrigin = new URL(CLIENTS.spa.redirect_uris[0]).origin;
      const own = await token(redirectOrigin, CLIENTS.spa);
      assert.equal(own.body.error, 'invalid_grant', JSON.stringify(own.body));
      assert.equal(own.headers['access-control-allow-origin'], redirectOrigin);
      const listed = await token(APP, CLIENTS.web);
      assert.equal(listed.body.error, 'invalid_grant', JSON.stringify(listed.body));
      assert.equal(listed.headers['access-control-allow-origin'], APP);
      const foreign = await token(OTHER, CLIENTS.spa);
      assert.equal(foreign.body.error, 'invalid_request');
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);
      // A confidential client calls from its server; its redirect origin is no browser origin to allow.
      const confidential = await token(redirectOrigin, CLIENTS.web);
      assert.equal(confidential.body.error, 'invalid_request');
      assert.equal(confidential.headers['access-control-allow-origin'], undefined);
    });
  });

  describe('cookie mode', function () {
    async function cookieLogin() {
      const res = await api(server).post('/api/v1/auth/login').send({ ...USER, use_cookies: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const cookies = setCookies(res);
      return { res, cookies, header: `gatehouse_access=${valueOf(cookies.get('gatehouse_access'))}`, refresh: `gatehouse_refresh=${valueOf(cookies.get('gatehouse_refresh'))}` };
    }

    it('login with use_cookies sets HttpOnly SameSite=Lax token cookies and leaves the tokens out of the body', async () => {
      const { res, cookies } = await cookieLogin();
      assert.deepEqual(Object.keys(res.body).sort(), ['expires_in', 'scope', 'token_type', 'user']);
      const access = cookies.get('gatehouse_access') ?? assert.fail('no access cookie');
      const refresh = cookies.get('gatehouse_refresh') ?? assert.fail('no refresh cookie');
      assert.match(access, /; path=\/;/i);
      // Koa writes Max-Age as Expires: the token's expires_in from now.
      const expires = Date.parse(/expires=([^;]+)/i.exec(access)?.[1] ?? '');
      assert.ok(Math.abs(expires - (Date.now() + res.body.expires_in * 1000)) < 120_000, access);
      assert.match(refresh, /; path=\/api\/v1\/auth;/i);
      for (const line of [access, refresh]) {
        assert.match(line, /; httponly/i);
        assert.match(line, /; samesite=lax/i);
        assert.doesNotMatch(line, /; secure/i, 'plain http PUBLIC_URL');
      }
    });

    it('/api/v1 accepts the access cookie; a state-changing request needs this site\'s or an allowed Origin (else Referer), else 403 FORBIDDEN', async () => {
      const { header } = await cookieLogin();
      assert.equal((await api(server).get('/api/v1/me').set('Cookie', header)).body.email, USER.email);
      const patch = () => api(server).patch('/api/v1/me').set('Cookie', header);
      assertError(await patch().send({ name: 'No origin' }), 403, 'FORBIDDEN');
      assertError(await patch().set('Origin', OTHER).send({ name: 'Evil' }), 403, 'FORBIDDEN');
      assertError(await patch().set('Origin', 'null').send({ name: 'Sandboxed' }), 403, 'FORBIDDEN');
      assertError(await patch().set('Referer', `${OTHER}/page`).send({ name: 'Evil' }), 403, 'FORBIDDEN');
      assert.equal((await patch().set('Origin', server.url).send({ name: 'Same site' })).body.name, 'Same site');
      assert.equal((await patch().set('Origin', APP).send({ name: 'Allowed app' })).body.name, 'Allowed app');
      assert.equal((await patch().set('Referer', `${server.url}/somewhere`).send({ name: 'By referer' })).body.name, 'By referer');
      // A bearer is not a cookie: no origin check (a script had to hold the token).
      const { access_token } = await login(server, USER);
      assert.equal((await api(server).patch('/api/v1/me').set(bearer(access_token)).send({ name: 'Bearer' })).status, 200);
    });

    it('refresh with use_cookies reads the refresh cookie, rotates both cookies, and refuses reuse, a foreign origin and no cookie', async () => {
      const { refresh } = await cookieLogin();
      assertError(await api(server).post('/api/v1/auth/refresh').set('Cookie', refresh).send({ use_cookies: true }), 403, 'FORBIDDEN');
      assertError(await api(server).post('/api/v1/auth/refresh').set({ Cookie: refresh, Origin: OTHER }).send({ use_cookies: true }), 403, 'FORBIDDEN');
      const res = await api(server).post('/api/v1/auth/refresh').set({ Cookie: refresh, Origin: APP }).send({ use_cookies: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.refresh_token, undefined);
      const next = setCookies(res);
      assert.ok(valueOf(next.get('gatehouse_access')));
      assert.notEqual(`gatehouse_refresh=${valueOf(next.get('gatehouse_refresh'))}`, refresh);
      assert.equal((await api(server).get('/api/v1/me').set('Cookie', `gatehouse_access=${valueOf(next.get('gatehouse_access'))}`)).status, 200);
      assertError(await api(server).post('/api/v1/auth/refresh').set({ Cookie: refresh, Origin: APP }).send({ use_cookies: true }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await api(server).post('/api/v1/auth/refresh').set({ Origin: APP }).send({ use_cookies: true }), 401, 'INVALID_REFRESH_TOKEN');
      assertError(await api(server).post('/api/v1/auth/refresh').send({}), 400, 'VALIDATION_FAILED');
    });

    it('logout by cookie ends the session and clears both cookies', async () => {
      const { header } = await cookieLogin();
      const res = await api(server).post('/api/v1/auth/logout').set({ Cookie: header, Origin: server.url }).send({});
      assert.equal(res.status, 204);
      const cleared = setCookies(res);
      for (const name of ['gatehouse_access', 'gatehouse_refresh']) {
        assert.equal(valueOf(cleared.get(name)), '', name);
        assert.match(cleared.get(name) ?? '', /expires=Thu, 01 Jan 1970/i);
      }
      assertError(await api(server).get('/api/v1/me').set('Cookie', header), 401, 'UNAUTHENTICATED');
    });
  });

  describe('cookie mode under an https PUBLIC_URL', function () {
    let secure: TestServer;
    before(async () => {
      secure = await startTestServer({ env: { PUBLIC_URL: 'https://id.example.test' } });
      await createTestAccount(secure, { ...USER, emailVerified: true });
    });
    after(() => secure?.close());

    it('names the cookies __Host- (access, Path=/) and __Secure- (refresh, path-scoped), both Secure', async () => {
      const res = await api(secure).post('/api/v1/auth/login').send({ ...USER, use_cookies: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const cookies = setCookies(res);
      assert.deepEqual([...cookies.keys()].sort(), ['__Host-gatehouse_access', '__Secure-gatehouse_refresh']);
      assert.match(cookies.get('__Host-gatehouse_access')!, /; path=\/;.*; secure/i);
      assert.match(cookies.get('__Secure-gatehouse_refresh')!, /; path=\/api\/v1\/auth;.*; secure/i);
      const me = await api(secure).get('/api/v1/me').set('Cookie', `__Host-gatehouse_access=${valueOf(cookies.get('__Host-gatehouse_access'))}`);
      assert.equal(me.status, 200);
    });
  });
});
