// The MFA page's "Use a security key", by form posts as the page's script
// makes them (views/assets/passkey.js): request options fetched from
// /interaction/:uid/webauthn-options, bound to that pending sign-in, and the
// assertion posted with the MFA form. Answered by a software authenticator
// that signs like a real one; the Chromium run is test/e2e/passkeys.test.ts.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { api, bearer, login } from '../support/api.ts';
import { CALLBACK, CLIENTS, startFixture, type Fixture } from '../oidc/fixtures.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { createTestAccount } from '../support/server.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

const PASSWORD = 'correct horse battery staple';
let counter = 0;

describe('MFA page: "Use a security key"', function () {
  this.timeout(120_000);
  let fx: Fixture;
  let config: oidc.Configuration;
  before(async () => {
    fx = await startFixture({ ENCRYPTION_KEY: 'an encryption key of at least 32 characters for the MFA test' });
    config = await fx.rp(CLIENTS.web);
  });
  after(() => fx?.server.close());

  /** An account whose only factor is a security key. */
  async function keyUser() {
    const email = `security-key-${Date.now()}-${counter++}@example.com`;
    await createTestAccount(fx.server, { email, password: PASSWORD });
    const key = new SoftAuthenticator(new URL(fx.server.url).origin);
    const { access_token: token } = await login(fx.server, { email, password: PASSWORD });
    const options = await api(fx.server).post('/api/v1/me/mfa/webauthn/options').set(bearer(token)).send({ password: PASSWORD });
    const enrolled = await api(fx.server).post('/api/v1/me/mfa/webauthn').set(bearer(token)).send({ response: key.create(options.body) });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    return { email, key };
  }

  interface Flow { session: PageSession; login: PageResponse; page: PageResponse; verifier: string; state: string; nonce: string }

  /** An authorization request; with `user`, signed in with the password up to the page shown next. */
  async function start(user?: { email: string }): Promise<Flow> {
    const session = new PageSession();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid', state, nonce, prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const loginPage = await session.follow(url.href);
    assert.match(loginPage.body, /name="step" value="password"/);
    if (!user) return { session, login: loginPage, page: loginPage, verifier, state, nonce };
    const posted = await session.submit(loginPage, { email: user.email, password: PASSWORD, action: 'login' });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    return { session, login: loginPage, page: await session.follow(posted.location!), verifier, state, nonce };
  }

  const uidOf = (page: PageResponse) => /action="\/interaction\/([^"/]+)"/.exec(page.body)?.[1] ?? assert.fail('no interaction form');
  const optionsOf = async (flow: Flow) => {
    const res = await flow.session.request(`${fx.server.url}/interaction/${uidOf(flow.page)}/webauthn-options`, { method: 'POST' });
    return { status: res.status, body: JSON.parse(res.body) as { challenge: string; allowCredentials?: { id: string }[] } };
  };

  it('offers the key, not a code field, to an account without an authenticator app, and signs in with it: amr pwd hwk mfa', async () => {
    const user = await keyUser();
    const flow = await start(user);
    assert.match(flow.page.body, /name="step" value="mfa"/);
    assert.match(flow.page.body, /<button type="submit" class="primary">Use a security key<\/button>/);
    assert.match(flow.page.body, /data-options="\/interaction\/[^"]+\/webauthn-options"/);
    assert.match(flow.page.body, /<script src="\/assets\/passkey.js" defer><\/script>/);
    assert.doesNotMatch(flow.page.body, /name="code"/);
    assert.match(flow.page.body, /\?method=recovery">Use a recovery code instead/);

    const options = await optionsOf(flow);
    assert.equal(options.status, 200);
    assert.equal(options.body.allowCredentials?.length, 1);
    const posted = await flow.session.submit(flow.page, { webauthn_response: JSON.stringify(user.key.get(options.body)) });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    const consent = await flow.session.follow(posted.location!);
    assert.match(consent.body, /name="prompt" value="consent"/);
    const allowed = await flow.session.submit(consent, { action: 'allow' });
    const landed = await flow.session.follow(allowed.location!, (l) => l.startsWith(CALLBACK));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(landed.location!), {
      pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce,
    });
    assert.deepEqual(tokens.claims()!.amr, ['pwd', 'hwk', 'mfa']);
  });

  it('binds the options to their sign-in: an answer to another interaction\'s challenge is refused, even naming that interaction', async () => {
    const user = await keyUser();
    const first = await start(user);
    const second = await start(user);
    const stolen = user.key.get((await optionsOf(first)).body);
    const refused = await second.session.submit(second.page, { webauthn_response: JSON.stringify(stolen), interaction: uidOf(first.page) });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /name="step" value="mfa"/);
    assert.match(refused.body, /id="form-error" role="alert"/);
    // The second sign-in finishes with a challenge of its own.
    const own = user.key.get((await optionsOf(second)).body);
    const posted = await second.session.submit(second.page, { webauthn_response: JSON.stringify(own) });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    assert.match((await second.session.follow(posted.location!)).body, /name="prompt" value="consent"/);
  });

  it('answers no options before the password, nor without the interaction cookie', async () => {
    const flow = await start();
    const early = await optionsOf(flow);
    assert.equal(early.status, 404);
    assert.equal((early.body as unknown as { error: { code: string } }).error.code, 'NOT_FOUND');
    const stranger = await new PageSession().request(`${fx.server.url}/interaction/${uidOf(flow.login)}/webauthn-options`, { method: 'POST' });
    assert.equal(stranger.status, 400);
  });
});
