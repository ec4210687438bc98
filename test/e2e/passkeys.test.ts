// Passkeys end to end in real Chromium, through its virtual authenticator
// (the DevTools protocol's WebAuthn domain: CTAP2, internal transport,
// resident keys, user verification). In a page of Gatehouse's origin the
// browser's own navigator.credentials answers the server's options: enrol a
// passkey, sign out, sign in with it and no password, use it as a second
// factor after a password, then list and remove it. PUBLIC_URL is
// http://localhost: a WebAuthn RP ID is a domain, never an IP address.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { api, assertError, bearer, login } from '../support/api.ts';
import { claimsOf, PASSWORD, uniqueEmail } from '../support/admin.ts';
import { launchChromium, requireChromium } from '../support/browser.ts';
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

describe('Passkeys in Chromium (virtual authenticator)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let origin: string;

  before(async function () {
    requireChromium(this);
    const port = await freePort();
    origin = `http://localhost:${port}`;
    server = await startTestServer({ port, env: { PUBLIC_URL: origin } });
    browser = await launchChromium();
    const context = await browser.newContext();
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(`${origin}/.well-known/openid-configuration`);
    await page.evaluate(IN_PAGE);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  // The JSON answers are read loosely, as the API tests read supertest's body.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = { status: number; body: any };
  const post = (path: string, body: unknown, token?: string) =>
    page.evaluate(([p, b, t]) => (globalThis as unknown as { gh: { post(...a: unknown[]): Promise<Answer> } }).gh.post(p, b, t), [path, body, token] as const);
  const webauthn = (kind: 'create' | 'get', options: unknown) =>
    page.evaluate(([k, o]) => (globalThis as unknown as { gh: Record<string, (o: unknown) => Promise<Record<string, unknown>>> }).gh[k]!(o), [kind, options] as const);

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
});
