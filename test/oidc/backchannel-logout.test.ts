import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { PageSession } from '../support/page-session.ts';
import { api, bearer, linkToken, login } from '../support/api.ts';
import { PASSWORD, signedIn, uniqueEmail } from '../support/admin.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { startLogoutListener, type LogoutListener } from '../support/logout-listener.ts';
import { CALLBACK, SECRET } from './fixtures.ts';

const WEB = 'bcl-web';
const FIRST = 'bcl-first-party';

describe('Back-channel logout', function () {
  let server: TestServer;
  let smtp: SmtpCapture;
  let web: LogoutListener;
  let first: LogoutListener;

  before(async () => {
    // The listeners verify against the issuer, known only once the port is: take the port first.
    const { freePort } = await import('../support/free-port.ts');
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/oidc`;
    web = await startLogoutListener({ issuer, clientId: WEB });
    first = await startLogoutListener({ issuer, clientId: FIRST });
    smtp = await startSmtpCapture();
    server = await startTestServer({
      port,
      env: { SMTP_URL: smtp.url },
      clients: [
        {
          client_id: WEB, client_secret: SECRET, redirect_uris: [CALLBACK], post_logout_redirect_uris: ['http://127.0.0.1:1/logged-out'],
          grant_types: ['authorization_code', 'refresh_token'], backchannel_logout_uri: web.uri, backchannel_logout_session_required: true,
        },
        {
          client_id: FIRST, client_secret: SECRET, redirect_uris: [CALLBACK], first_party: true,
          grant_types: ['authorization_code', 'refresh_token', 'password'], backchannel_logout_uri: first.uri, backchannel_logout_session_required: true,
        },
      ],
    });
    assert.equal(server.issuer, issuer);
  });
  after(async () => {
    await server?.close();
    await Promise.all([web?.close(), first?.close(), smtp?.close()]);
  });

  async function account(): Promise<{ id: string; email: string }> {
    const email = uniqueEmail('bcl');
    const { id } = await createTestAccount(server, { email, password: PASSWORD });
    return { id, email };
  }

  /** A code-flow sign-in of the web client through the pages; its ID token's claims and the browser. */
  async function webSignIn(email: string) {
    const config = await oidc.discovery(new URL(server.issuer), WEB, undefined, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    const session = new PageSession();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid email', state: 's', nonce: 'n',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const atCallback = (location: string) => location.startsWith(CALLBACK);
    let res = await session.follow(url.href, atCallback);
    while (!res.location) {
      const prompt = /name="prompt" value="(\w+)"/.exec(res.body)?.[1];
      const posted = prompt === 'login'
        ? await session.submit(res, { email, password: PASSWORD, action: 'login' })
        : await session.submit(res, { action: 'allow' });
      assert.equal(posted.status, 303, posted.body.slice(0, 300));
      res = atCallback(posted.location!) ? { ...posted, location: posted.location } : await session.follow(posted.location!, atCallback);
    }
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.location), { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
    const claims = tokens.claims()!;
    assert.equal(typeof claims.sid, 'string', 'the ID token of a back-channel client carries sid');
    return { config, session, idToken: tokens.id_token!, sid: claims.sid as string };
  }

  /** The next logout token the listener verifies, after `before` tokens. */
  async function nextToken(listener: LogoutListener, before: number) {
    return (await listener.waitForTokens(before + 1))[before]!;
  }

  function assertFor(token: { sub?: string; sid?: string; events: Record<string, unknown> }, sub: string, sid: string) {
    assert.equal(token.sub, sub);
    assert.equal(token.sid, sid);
    assert.deepEqual(token.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
  }

  it('discovery advertises back-channel logout with sessions', async () => {
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    const metadata = (await res.json()) as Record<string, unknown>;
    assert.equal(metadata.backchannel_logout_supported, true);
    assert.equal(metadata.backchannel_logout_session_supported, true);
  });

  it('the admin API accepts a client with a back-channel logout URI and the device grant, and refuses a malformed URI', async () => {
    const admin = await signedIn(server, 'admin', 'bcl-client-admin');
    const create = (body: Record<string, unknown>) => api(server).post('/api/v1/admin/clients').set(bearer(admin.token)).send(body);
    const base = { redirect_uris: [], response_types: [], token_endpoint_auth_method: 'none', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] };
    const created = await create({ ...base, client_id: 'bcl-admin-tv', backchannel_logout_uri: 'https://tv.example/logout', backchannel_logout_session_required: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const refused = await create({ ...base, client_id: 'bcl-admin-bad', backchannel_logout_uri: 'not a url' });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body), /backchannel_logout_uri/);
  });

  it('RP-initiated logout sends the client a verified logout token for its session', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const seen = web.tokens.length;
    const endUrl = oidc.buildEndSessionUrl(signIn.config, { id_token_hint: signIn.idToken });
    const confirm = await signIn.session.follow(endUrl.href);
    await signIn.session.submit(confirm, { logout: 'yes' });
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('revoking the session at /api/v1/me/sessions tells the client', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    const seen = web.tokens.length;
    const list = await api(server).get('/api/v1/me/sessions').set(bearer(token));
    const browser = (list.body as Array<{ id: string; kind?: string; current?: boolean }>).find((s) => !s.current);
    assert.ok(browser, JSON.stringify(list.body));
    const res = await api(server).delete(`/api/v1/me/sessions/${browser.id}`).set(bearer(token));
    assert.ok(res.status < 300, JSON.stringify(res.body));
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('API logout tells the session\'s client, and logout with all tells the others', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    // A first-party app signed in by the password grant: its API session's id is its ID token's sid.
    const grant = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${FIRST}:${SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: user.email, password: PASSWORD, scope: 'openid' }),
    });
    const tokens = (await grant.json()) as { access_token: string; id_token: string };
    assert.equal(grant.status, 200, JSON.stringify(tokens));
    const sid = JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()).sid as string;
    const seenFirst = first.tokens.length;
    assert.equal((await api(server).post('/api/v1/auth/logout').set(bearer(tokens.access_token)).send({})).status, 204);
    assertFor(await nextToken(first, seenFirst), user.id, sid);

    const { access_token: again } = await login(server, { email: user.email, password: PASSWORD });
    const seenWeb = web.tokens.length;
    assert.equal((await api(server).post('/api/v1/auth/logout').set(bearer(again)).send({ all: true })).status, 204);
    assertFor(await nextToken(web, seenWeb), user.id, signIn.sid);
  });

  it('a password change tells the clients of the other sessions', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    const seen = web.tokens.length;
    const res = await api(server).post('/api/v1/me/password').set(bearer(token)).send({ current_password: PASSWORD, new_password: `${PASSWORD} changed` });
    assert.ok(res.status < 300, JSON.stringify(res.body));
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('a password reset tells the clients of every session', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const seen = web.tokens.length;
    await api(server).post('/api/v1/auth/password-reset').send({ email: user.email });
    const mail = await smtp.waitFor((m) => m.to.includes(user.email) && /reset your password/i.test(m.subject));
    const res = await api(server).post('/api/v1/auth/password-reset/confirm')
      .send({ token: linkToken(mail, '/account/reset-password'), new_password: `${PASSWORD} reset` });
    assert.ok(res.status < 300, JSON.stringify(res.body));
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('an administrator disabling the account tells its clients', async () => {
    const admin = await signedIn(server, 'admin', 'bcl-admin');
    const user = await account();
    const signIn = await webSignIn(user.email);
    const seen = web.tokens.length;
    const res = await api(server).patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.token)).send({ disabled: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('deleting the account (DELETE /me) tells its clients', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    const seen = web.tokens.length;
    const res = await api(server).delete('/api/v1/me').set(bearer(token)).send({ password: PASSWORD });
    assert.ok(res.status < 300, JSON.stringify(res.body));
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('retries a delivery the client answered with 500', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    const seen = web.tokens.length;
    const attempts = web.attempts;
    web.failNext(2);
    await api(server).post('/api/v1/auth/logout').set(bearer(token)).send({ all: true });
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
    assert.equal(web.attempts - attempts, 3, 'two refused attempts, then the one that was taken');
  });

  it('never makes the request that ended the session wait on the client', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    const seen = web.tokens.length;
    web.hold();
    try {
      const res = await api(server).post('/api/v1/auth/logout').set(bearer(token)).send({ all: true });
      assert.equal(res.status, 204);
      // The delivery is under way or about to be; the sign-out answered without its reply.
      while (web.held().length === 0) await sleep(20);
      assert.deepEqual(web.held(), [{ aborted: false }], 'the logout token was still waiting for its answer');
    } finally {
      web.release();
    }
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('never makes RP-initiated logout wait on the client either (oidc-provider awaits its deliveries)', async () => {
    const user = await account();
    const signIn = await webSignIn(user.email);
    const seen = web.tokens.length;
    const confirm = await signIn.session.follow(oidc.buildEndSessionUrl(signIn.config, { id_token_hint: signIn.idToken }).href);
    web.hold();
    try {
      const done = await signIn.session.submit(confirm, { logout: 'yes' });
      assert.ok(done.status === 303 || done.status === 200, `logout answered ${done.status}`);
      while (web.held().length === 0) await sleep(20);
      assert.deepEqual(web.held(), [{ aborted: false }], 'the logout token was still waiting for its answer');
    } finally {
      web.release();
    }
    assertFor(await nextToken(web, seen), user.id, signIn.sid);
  });

  it('gives up after its retries, audited as backchannel_logout.failed', async function () {
    this.timeout(60_000);
    const user = await account();
    await webSignIn(user.email);
    const { access_token: token } = await login(server, { email: user.email, password: PASSWORD });
    web.failNext(100);
    try {
      await api(server).post('/api/v1/auth/logout').set(bearer(token)).send({ all: true });
      let failed: Awaited<ReturnType<typeof server.store.audit.list>> = [];
      while (failed.length === 0) {
        await sleep(100);
        failed = await server.store.audit.list({ type: 'backchannel_logout.failed', clientId: WEB }, { limit: 10 });
      }
      assert.equal(failed[0]!.result, 'failure');
      assert.equal(failed[0]!.details.attempts, 4);
      assert.doesNotMatch(JSON.stringify(failed[0]), /logout_token|eyJ/, 'no token in the event');
    } finally {
      web.failNext(0);
    }
  });
});
