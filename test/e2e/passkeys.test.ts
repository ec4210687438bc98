// Passkeys end to end in real Chromium, through its virtual authenticator
// (the DevTools protocol's WebAuthn domain: CTAP2, internal transport,
// resident keys, user verification). In a page of Gatehouse's origin the
// browser's own navigator.credentials answers the server's options: enrol a
// passkey, sign out, sign in with it and no password, use it as a second
// factor after a password (through the API, and on the browser's MFA page
// with "Use a security key"), then list and remove it. PUBLIC_URL is
// http://localhost: a WebAuthn RP ID is a domain, never an IP address.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { api, assertError, bearer, login } from '../support/api.ts';
import { claimsOf, PASSWORD, uniqueEmail } from '../support/admin.ts';
import { assertAccessible, launchChromium, requireChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

// Runs in the page: the JSON options through the browser's WebAuthn API and
// back as JSON (PublicKeyCredential's JSON helpers). A string, so this file
// needs no DOM types.
const IN_PAGE = `
window.gh = {
  async post(path, body, token) {
    const headers = { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) };
    const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  },
  async create(options) {
    const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
    return credential.toJSON();
  },
  async get(options) {
    const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    return credential.toJSON();
  },
};`;

const CLIENT = { id: 'passkey-client', secret: randomBytes(32).toString('hex') };

/** The client's redirect target: a plain page that remembers the query. */
async function startCallbackServer(): Promise<{ url: string; hits: URL[]; server: Server }> {
  const hits: URL[] = [];
  const server = createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Client</title><p>Back at the client.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, hits, server };
}

describe('Passkeys in Chromium (virtual authenticator)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;

  before(async function () {
    requireChromium(this);
    callback = await startCallbackServer();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startTestServer({
      port,
      env: { PUBLIC_URL: origin },
      clients: [{
        client_id: CLIENT.id, client_secret: CLIENT.secret, client_name: 'Passkey Client', redirect_uris: [callback.url],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
    browser = await launchChromium();
    page = await pageWithAuthenticator();
  });

  /** A page of Gatehouse's origin in a context of its own, with its own empty virtual authenticator. */
  async function pageWithAuthenticator(): Promise<Page> {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    const cdp = await context.newCDPSession(fresh);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await fresh.goto(`${origin}/.well-known/openid-configuration`);
    await fresh.evaluate(IN_PAGE);
    return fresh;
  }

  after(async () => {
    await browser?.close();
    await server?.close();
    callback?.server.close();
  });

  // The JSON answers are read loosely, as the API tests read supertest's body.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = { status: number; body: any };
  const post = (path: string, body: unknown, token?: string, on = page) =>
    on.evaluate(([p, b, t]) => (globalThis as unknown as { gh: { post(...a: unknown[]): Promise<Answer> } }).gh.post(p, b, t), [path, body, token] as const);
  const webauthn = (kind: 'create' | 'get', options: unknown, on = page) =>
    on.evaluate(([k, o]) => (globalThis as unknown as { gh: Record<string, (o: unknown) => Promise<Record<string, unknown>>> }).gh[k]!(o), [kind, options] as const);

  it('enrols a passkey, signs in with it and no password, uses it as a second factor, and removes it', async () => {
    const email = uniqueEmail('passkey-e2e');
    await createTestAccount(server, { email, password: PASSWORD });
    const first = await login(server, { email, password: PASSWORD });

    // Enrol: the options need the password; the browser creates a discoverable credential.
    const creation = await post('/api/v1/me/mfa/webauthn/options', { password: PASSWORD }, first.access_token);
    assert.equal(creation.status, 200, JSON.stringify(creation.body));
    assert.equal(creation.body.rp.id, 'localhost');
    const enrolled = await post('/api/v1/me/mfa/webauthn', { name: 'Laptop', response: await webauthn('create', creation.body) }, first.access_token);
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    assert.equal(enrolled.body.type, 'webauthn');

    // Sign out, then in with the passkey alone.
    assert.equal((await post('/api/v1/auth/logout', {}, first.access_token)).status, 204);
    const request = await post('/api/v1/auth/passkey/options', {});
    assert.equal(request.status, 200);
    const passkey = await post('/api/v1/auth/passkey', { response: await webauthn('get', request.body) });
    assert.equal(passkey.status, 200, JSON.stringify(passkey.body));
    assert.equal(passkey.body.user.email, email);
    assert.deepEqual(claimsOf(passkey.body.access_token).amr, ['hwk', 'user']);
    assert.deepEqual(claimsOf(passkey.body.id_token).amr, ['hwk', 'user']);

    // The password alone no longer signs in: the passkey is the second factor.
    const password = await post('/api/v1/auth/login', { email, password: PASSWORD });
    assert.equal(password.status, 403);
    assert.equal(password.body.error.code, 'MFA_REQUIRED');
    assert.deepEqual(password.body.mfa.factors, [{ id: enrolled.body.id, type: 'webauthn' }]);
    const mfaOptions = await post('/api/v1/auth/login/mfa/options', { mfa_token: password.body.mfa.token });
    assert.equal(mfaOptions.status, 200);
    const second = await post('/api/v1/auth/login/mfa', { mfa_token: password.body.mfa.token, webauthn_response: await webauthn('get', mfaOptions.body) });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual(claimsOf(second.body.access_token).amr, ['pwd', 'hwk', 'mfa']);

    // Listed, then removed with the password: the password alone signs in again.
    const token = second.body.access_token as string;
    const listed = await api(server).get('/api/v1/me/mfa').set(bearer(token));
    assert.deepEqual(listed.body.factors.map((f: { name: string; type: string; last_used_at: string | null }) => [f.name, f.type, f.last_used_at !== null]), [['Laptop', 'webauthn', true]]);
    const removed = await api(server).delete(`/api/v1/me/mfa/${enrolled.body.id}`).set(bearer(token)).send({ password: PASSWORD });
    assert.equal(removed.status, 204);
    assert.equal((await post('/api/v1/auth/login', { email, password: PASSWORD })).status, 200);
    // And the removed passkey signs in no more.
    const stale = await post('/api/v1/auth/passkey/options', {});
    const refused = await post('/api/v1/auth/passkey', { response: await webauthn('get', stale.body) });
    assertError(refused, 401, 'INVALID_CREDENTIALS');
  });

  it('signs in on the login page with the "Sign in with a passkey" button: no password, a code and an ID token for the client', async () => {
    const email = uniqueEmail('passkey-button');
    const { id: accountId } = await createTestAccount(server, { email, password: PASSWORD });
    const own = await pageWithAuthenticator();
    const violations: string[] = [];
    own.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text()); });
    const { access_token: token } = await login(server, { email, password: PASSWORD });
    const creation = await post('/api/v1/me/mfa/webauthn/options', { password: PASSWORD }, token, own);
    const enrolled = await post('/api/v1/me/mfa/webauthn', { response: await webauthn('create', creation.body, own) }, token, own);
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));

    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${server.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT.id, response_type: 'code', redirect_uri: callback.url, scope: 'openid email', state: 'st', nonce: 'nn',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    await own.goto(authorize.toString());
    await own.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await own.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await own.getByRole('button', { name: 'Allow' }).click();
    await own.waitForURL((url) => url.pathname === '/callback');
    const code = callback.hits.findLast((hit) => hit.pathname === '/callback')?.searchParams.get('code') ?? assert.fail('no code');
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.url, code_verifier: verifier }),
    });
    const body = await res.json() as { id_token?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const claims = claimsOf(body.id_token ?? assert.fail('no id_token'));
    assert.equal(claims.sub, accountId);
    // The sign-in was the passkey's (the code flow's ID token carries amr once
    // the provider lists the amr claim, which the browser MFA work adds).
    const events = await server.store.audit.listForSubject(accountId, { limit: 100 });
    const signIns = events.filter((e) => e.type === 'sign_in' && e.result === 'success' && e.clientId === CLIENT.id);
    assert.deepEqual(signIns.map((e) => (e.details as { method?: string; amr?: string[] })).map((d) => [d.method, d.amr]), [['passkey', ['hwk', 'user']]]);
    assert.deepEqual(violations, []);
  });
  it('finishes a password sign-in on the MFA page with "Use a security key" for an account whose only factor is a passkey', async () => {
    const email = uniqueEmail('security-key-page');
    const { id: accountId } = await createTestAccount(server, { email, password: PASSWORD });
    const own = await pageWithAuthenticator();
    const violations: string[] = [];
    own.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text()); });
    const { access_token: token } = await login(server, { email, password: PASSWORD });
    const creation = await post('/api/v1/me/mfa/webauthn/options', { password: PASSWORD }, token, own);
    const enrolled = await post('/api/v1/me/mfa/webauthn', { name: 'Laptop', response: await webauthn('create', creation.body, own) }, token, own);
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    assert.equal(enrolled.body.recovery_codes.length, 10, 'the first factor brings recovery codes');

    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(`${server.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT.id, response_type: 'code', redirect_uri: callback.url, scope: 'openid email', state: 'sk', nonce: 'nk',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    await own.goto(authorize.toString());
    await own.getByLabel('Email').fill(email);
    await own.getByLabel('Password').fill(PASSWORD);
    await own.getByRole('button', { name: 'Sign in', exact: true }).click();
    await own.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    // No authenticator app: the page offers the key (and recovery codes), not a code field.
    assert.equal(await own.getByLabel('Authentication code').count(), 0);
    assert.equal(await own.locator('script:not([src="/assets/passkey.js"])').count(), 0, 'no script but the same-origin one');
    await own.getByRole('button', { name: 'Use a security key' }).click();
    await own.getByRole('button', { name: 'Allow' }).click();
    await own.waitForURL((url) => url.pathname === '/callback');
    const hit = callback.hits.findLast((h) => h.pathname === '/callback' && h.searchParams.get('state') === 'sk');
    const code = hit?.searchParams.get('code') ?? assert.fail('no code');
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.url, code_verifier: verifier }),
    });
    const body = await res.json() as { id_token?: string };
    assert.equal(res.status, 200, JSON.stringify(body));
    const claims = claimsOf(body.id_token ?? assert.fail('no id_token'));
    assert.equal(claims.sub, accountId);
    assert.deepEqual(claims.amr, ['pwd', 'hwk', 'mfa']);
    const events = await server.store.audit.listForSubject(accountId, { limit: 100 });
    assert.ok(events.some((e) => e.type === 'mfa.verified' && e.result === 'success' && (e.details as { method?: string }).method === 'webauthn'));
    assert.deepEqual(violations, []);

    // The page as shown, checked by axe in a browser of its own (axe's DevTools session stays away from the authenticator's).
    const plain = await (await browser.newContext()).newPage();
    await plain.goto(authorize.toString());
    await plain.getByLabel('Email').fill(email);
    await plain.getByLabel('Password').fill(PASSWORD);
    await plain.getByRole('button', { name: 'Sign in', exact: true }).click();
    await plain.getByRole('button', { name: 'Use a security key' }).waitFor();
    await assertAccessible(plain, 'mfa page with a security key');
    await plain.context().close();
  });
});
