// The browser sign-in with a second factor, by form posts as a browser
// without JavaScript would: password, then the MFA page, then consent, then
// the redirect to the client; openid-client checks the ID token and its amr.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { CALLBACK, CLIENTS, startFixture, type Fixture } from '../oidc/fixtures.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { enrolTotpUser, nextCode, wrongCode, type TotpUser } from '../support/totp-user.ts';

const PASSWORD = 'correct horse battery staple';
const ENCRYPTION_KEY = 'an encryption key of at least 32 characters for the MFA test';
let counter = 0;
const email = (tag: string) => `mfa-page-${tag}-${Date.now()}-${counter++}@example.com`;

describe('MFA page in the browser sign-in', function () {
  this.timeout(120_000);
  let fx: Fixture;
  let config: oidc.Configuration;
  before(async () => {
    fx = await startFixture({ ENCRYPTION_KEY });
    config = await fx.rp(CLIENTS.web);
  });
  after(() => fx?.server.close());

  interface Flow { session: PageSession; page: PageResponse; verifier: string; state: string; nonce: string }

  /** Start an authorization request and sign in with the password: resolves at the page shown next. */
  async function passwordFirst(user: { email: string; password: string }): Promise<Flow> {
    const session = new PageSession();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid email', state, nonce, prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const login = await session.follow(url.href);
    assert.equal(login.status, 200);
    assert.match(login.body, /name="step" value="password"/);
    const posted = await session.submit(login, { email: user.email, password: user.password, action: 'login' });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    const page = await session.follow(posted.location!);
    return { session, page, verifier, state, nonce };
  }

  /** From the consent page: allow, land at the callback and exchange the code with openid-client. */
  async function consentAndExchange(flow: Flow, consentPage: PageResponse) {
    assert.match(consentPage.body, /name="prompt" value="consent"/);
    const allowed = await flow.session.submit(consentPage, { action: 'allow' });
    assert.equal(allowed.status, 303);
    const atCallback = (l: string) => l.startsWith(CALLBACK);
    const landed = await flow.session.follow(allowed.location!, atCallback);
    assert.ok(landed.location, `no redirect to the client: ${landed.status}`);
    return oidc.authorizationCodeGrant(config, new URL(landed.location), {
      pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce,
    });
  }

  async function submitMfa(flow: Flow, page: PageResponse, fields: Record<string, string>) {
    const posted = await flow.session.submit(page, { action: 'verify', ...fields });
    return posted.status === 303 ? flow.session.follow(posted.location!) : posted;
  }

  it('asks for the code after the password and before consent; the ID token says otp and mfa', async function () {
    const user = await enrolTotpUser(fx.server, email('ok'), PASSWORD);
    const flow = await passwordFirst(user);
    assert.equal(flow.page.status, 200);
    assert.match(flow.page.body, /name="step" value="mfa"/);
    assert.match(flow.page.body, /autocomplete="one-time-code"/);
    assert.match(flow.page.body, /inputmode="numeric"/);
    assert.match(flow.page.body, /<label for="code">/);
    assert.doesNotMatch(flow.page.body, /<script/);
    const consent = await submitMfa(flow, flow.page, { code: await nextCode(user) });
    assert.equal(consent.status, 200);
    const tokens = await consentAndExchange(flow, consent);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.accountId);
    assert.ok(Array.isArray(claims.amr), `amr: ${JSON.stringify(claims.amr)}`);
    for (const method of ['pwd', 'otp', 'mfa']) assert.ok((claims.amr as string[]).includes(method), `amr lacks ${method}: ${JSON.stringify(claims.amr)}`);
  });

  it('shows a wrong code on its field and lets the user try again', async function () {
    const user = await enrolTotpUser(fx.server, email('wrong'), PASSWORD);
    const flow = await passwordFirst(user);
    const wrong = await submitMfa(flow, flow.page, { code: await wrongCode(user) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /id="form-error" role="alert">The code is not valid\./);
    assert.match(wrong.body, /id="code"[^>]*aria-invalid="true"[^>]*aria-describedby="form-error code-hint"/);
    const consent = await submitMfa(flow, wrong, { code: await nextCode(user) });
    assert.equal(consent.status, 200);
    assert.match(consent.body, /name="prompt" value="consent"/);
  });

  it('shows the lock after five wrong codes, even for the right code', async function () {
    const user = await enrolTotpUser(fx.server, email('lock'), PASSWORD);
    const flow = await passwordFirst(user);
    let page = flow.page;
    for (let i = 0; i < 5; i += 1) {
      page = await submitMfa(flow, page, { code: await wrongCode(user) });
      assert.equal(page.status, 400, `attempt ${i + 1}`);
    }
    const locked = await submitMfa(flow, page, { code: await nextCode(user) });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.match(locked.body, /Too many wrong codes/);
    assert.match(locked.body, /id="code"[^>]*aria-invalid="true"/);
  });

  it('accepts a recovery code instead, once', async function () {
    const user: TotpUser = await enrolTotpUser(fx.server, email('recovery'), PASSWORD);
    const flow = await passwordFirst(user);
    const link = /href="([^"]*\?method=recovery)"/.exec(flow.page.body)?.[1];
    assert.ok(link, 'a link to use a recovery code');
    const recoveryPage = await flow.session.request(new URL(link, flow.page.url).href);
    assert.equal(recoveryPage.status, 200);
    assert.match(recoveryPage.body, /<label for="recovery_code">/);
    assert.doesNotMatch(recoveryPage.body, /id="code"/);
    const consent = await submitMfa(flow, recoveryPage, { recovery_code: user.recoveryCodes[0]! });
    assert.equal(consent.status, 200, consent.body.slice(0, 400));
    const tokens = await consentAndExchange(flow, consent);
    assert.ok((tokens.claims()!.amr as string[]).includes('mfa'));

    // The same code again fails, marked on the recovery code field.
    const again = await passwordFirst(user);
    const page = await again.session.request(new URL(link.replace(/\/interaction\/[^?]+/, new URL(again.page.url).pathname), again.page.url).href);
    const reused = await submitMfa(again, page, { recovery_code: user.recoveryCodes[0]! });
    assert.equal(reused.status, 400);
    assert.match(reused.body, /id="recovery_code"[^>]*aria-invalid="true"/);
  });

  it('asks nothing more of an account without a factor', async function () {
    const user = { email: email('plain'), password: PASSWORD };
    const { createTestAccount } = await import('../support/server.ts');
    await createTestAccount(fx.server, user);
    const flow = await passwordFirst(user);
    const tokens = await consentAndExchange(flow, flow.page);
    assert.deepEqual(tokens.claims()!.amr, ['pwd']);
  });
});
