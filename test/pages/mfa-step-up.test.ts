// Clients that want a second factor: `require_mfa: true` client metadata and
// the MFA acr in acr_values. A session signed in with the password alone goes
// through the MFA page (not the password page again) before the client gets
// a code; openid-client checks the ID token's amr and acr.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { api, bearer, login } from '../support/api.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { nextCode, type TotpUser } from '../support/totp-user.ts';
import { MFA_ACR } from '../../src/oidc/mfa-policy.ts';

const PASSWORD = 'correct horse battery staple';
const CALLBACK = 'http://127.0.0.1:1/callback';
const SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';
const PLAIN = { client_id: 'plain-app', client_secret: SECRET, redirect_uris: [CALLBACK], grant_types: ['authorization_code'], first_party: true };
const STRICT = { ...PLAIN, client_id: 'strict-app', require_mfa: true };
const STRICT_PASSWORD = { ...STRICT, client_id: 'strict-password-app', grant_types: ['authorization_code', 'password'] };
let counter = 0;

describe('MFA step-up: require_mfa clients and acr_values', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { ENCRYPTION_KEY: 'an encryption key of at least 32 characters for the MFA test' },
      clients: [PLAIN, STRICT, STRICT_PASSWORD] as never,
    });
  });
  after(() => server?.close());

  const rp = (client: { client_id: string }) =>
    oidc.discovery(new URL(server.issuer), client.client_id, undefined, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });

  /** An authorization request through the pages; `answer` fills each page by its step; resolves to the tokens and the steps seen. */
  async function flow(
    session: PageSession, client: { client_id: string }, answer: (step: string, page: PageResponse) => Promise<Record<string, string>>,
    params: Record<string, string> = {}, onLinkPage: (page: PageResponse) => void = () => assert.fail('unexpected page without a form'),
  ) {
    const config = await rp(client);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
    });
    const atCallback = (l: string) => l.startsWith(CALLBACK);
    const steps: string[] = [];
    let res = await session.follow(url.href, atCallback);
    while (!res.location) {
      assert.equal(res.status, 200, `${res.status} at ${res.url}: ${res.body.slice(0, 300)}`);
      if (!/<form/.test(res.body)) {
        onLinkPage(res);
        const next = /<a class="button primary" href="([^"]+)">Continue<\/a>/.exec(res.body)?.[1] ?? assert.fail('no Continue link');
        res = await session.follow(new URL(next.replace(/&amp;/g, '&'), res.url).href, atCallback);
        continue;
      }
      const step = /name="step" value="([\w-]+)"/.exec(res.body)?.[1] ?? /name="prompt" value="(\w+)"/.exec(res.body)?.[1] ?? 'unknown';
      steps.push(step);
      assert.ok(steps.length < 6, `looping: ${steps.join(', ')}`);
      const posted = await session.submit(res, await answer(step, res));
      // Enrolling answers its next stage (the QR code, the recovery codes) in place.
      if (posted.status === 200 && step === 'mfa-enrol') {
        res = posted;
        continue;
      }
      assert.equal(posted.status, 303, `${step} answered ${posted.status}: ${posted.body.slice(0, 300)}`);
      res = atCallback(posted.location!) ? { ...posted, location: posted.location! } : await session.follow(posted.location!, atCallback);
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    return { steps, claims: tokens.claims()! };
  }

  /** Signed in with the password alone (no factor yet), then a TOTP factor enrolled through the API. */
  async function pwdSessionThenFactor(): Promise<{ session: PageSession; user: TotpUser }> {
    const email = `step-up-${Date.now()}-${counter++}@example.com`;
    const { id: accountId } = await createTestAccount(server, { email, password: PASSWORD });
    const session = new PageSession();
    const first = await flow(session, PLAIN, async () => ({ email, password: PASSWORD, action: 'login' }));
    assert.deepEqual(first.steps, ['password']);
    assert.deepEqual(first.claims.amr, ['pwd']);
    const tokens = await login(server, { email, password: PASSWORD });
    const start = await api(server).post('/api/v1/me/mfa/totp').set(bearer(tokens.access_token)).send({ password: PASSWORD });
    const user: TotpUser = { email, password: PASSWORD, accountId, secret: start.body.secret, recoveryCodes: [], lastStep: 0 };
    const confirm = await api(server).post(`/api/v1/me/mfa/totp/${start.body.id}/confirm`).set(bearer(tokens.access_token)).send({ code: await nextCode(user) });
    assert.equal(confirm.status, 200);
    return { session, user };
  }

  it('advertises the MFA acr in discovery', async function () {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    const body = await res.json() as { acr_values_supported?: string[] };
    assert.ok(body.acr_values_supported?.includes(MFA_ACR), JSON.stringify(body.acr_values_supported));
  });

  it('steps a password-only session up to the second factor for acr_values, and says so in acr and amr', async function () {
    const { session, user } = await pwdSessionThenFactor();
    const { steps, claims } = await flow(session, PLAIN, async (step) => {
      assert.equal(step, 'mfa', 'the MFA page, not the password again');
      return { code: await nextCode(user), action: 'verify' };
    }, { acr_values: MFA_ACR });
    assert.deepEqual(steps, ['mfa']);
    assert.equal(claims.acr, MFA_ACR);
    assert.ok((claims.amr as string[]).includes('mfa'), JSON.stringify(claims.amr));
    // The session now carries the second factor: the same request asks nothing.
    const again = await flow(session, PLAIN, async () => assert.fail('no page expected'), { acr_values: MFA_ACR });
    assert.deepEqual(again.steps, []);
  });

  it('asks the password again, then the code, when max_age is past as well', async function () {
    const { session, user } = await pwdSessionThenFactor();
    const { steps, claims } = await flow(session, PLAIN, async (step): Promise<Record<string, string>> => {
      if (step === 'password') return { email: user.email, password: PASSWORD, action: 'login' };
      return { code: await nextCode(user), action: 'verify' };
    }, { acr_values: MFA_ACR, max_age: '0' });
    assert.deepEqual(steps, ['password', 'mfa']);
    assert.equal(claims.acr, MFA_ACR);
  });

  it('gives a require_mfa client only a session with a second factor', async function () {
    const { session, user } = await pwdSessionThenFactor();
    const { steps, claims } = await flow(session, STRICT, async () => ({ code: await nextCode(user), action: 'verify' }));
    assert.deepEqual(steps, ['mfa']);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('otp') && amr.includes('mfa'), JSON.stringify(amr));
  });

  it('takes a passkey sign-in (hwk and user: two factors) for a require_mfa client: no MFA page, amr ["hwk","user"], the MFA acr', async function () {
    const email = `passkey-${Date.now()}-${counter++}@example.com`;
    await createTestAccount(server, { email, password: PASSWORD });
    const key = new SoftAuthenticator(new URL(server.url).origin);
    const tokens = await login(server, { email, password: PASSWORD });
    const creation = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(tokens.access_token)).send({ password: PASSWORD });
    const enrolled = await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(tokens.access_token)).send({ response: key.create(creation.body) });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const session = new PageSession();
    const { steps, claims } = await flow(session, STRICT, async (step) => {
      assert.equal(step, 'password', 'only the login page, whose passkey button posts here');
      const options = await api(server).post('/api/v1/auth/passkey/options').send({});
      return { action: 'passkey', webauthn_response: JSON.stringify(key.get(options.body)) };
    });
    assert.deepEqual(steps, ['password']);
    assert.deepEqual(claims.amr, ['hwk', 'user']);
    // The session satisfies the policy and the MFA acr: the next requests ask nothing.
    const again = await flow(session, STRICT, async () => assert.fail('no page expected'), { acr_values: MFA_ACR });
    assert.deepEqual(again.steps, []);
    assert.equal(again.claims.acr, MFA_ACR);
  });

  it('leads a user without a factor to enrol during sign-in at a require_mfa client', async function () {
    const email = `enrol-${Date.now()}-${counter++}@example.com`;
    await createTestAccount(server, { email, password: PASSWORD });
    const user = { secret: '', lastStep: 0 };
    let codes: string[] = [];
    const session = new PageSession();
    const { steps, claims } = await flow(session, STRICT, async (step, page): Promise<Record<string, string>> => {
      if (step === 'password') return { email, password: PASSWORD, action: 'login' };
      assert.equal(step, 'mfa-enrol');
      if (!/name="factor_id"/.test(page.body)) {
        assert.match(page.body, /<label for="password">/);
        return { password: PASSWORD, action: 'enrol' };
      }
      assert.match(page.body, /<div class="qr" role="img"[^>]*><svg/);
      user.secret = /secret=([A-Z2-7]+)/.exec(page.body)?.[1] ?? assert.fail('no otpauth URI with the key');
      return { code: await nextCode(user), action: 'confirm' };
    }, {}, (page) => {
      // The recovery codes page, shown once, links on to the client.
      codes = [...page.body.matchAll(/<li><code>([\w-]+)<\/code><\/li>/g)].map((m) => m[1]!);
    });
    assert.deepEqual(steps, ['password', 'mfa-enrol', 'mfa-enrol']);
    assert.equal(codes.length, 10);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('pwd') && amr.includes('otp') && amr.includes('mfa'), JSON.stringify(amr));
  });

  it('refuses a require_mfa client the password grant of an account without a factor', async function () {
    const email = `grant-${Date.now()}-${counter++}@example.com`;
    await createTestAccount(server, { email, password: PASSWORD });
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${STRICT_PASSWORD.client_id}:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: email, password: PASSWORD, scope: 'openid' }),
    });
    const body = await res.json() as { error?: string; access_token?: string };
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.equal(body.access_token, undefined);
  });

  it('asks nothing more of a plain client for a password-only session', async function () {
    const { session } = await pwdSessionThenFactor();
    const { steps, claims } = await flow(session, PLAIN, async () => assert.fail('no page expected'));
    assert.deepEqual(steps, []);
    assert.deepEqual(claims.amr, ['pwd']);
  });
});
