// A third-party app's offline_access refresh token outlives the browser
// sign-in it came from (RP-initiated logout keeps it). API.md: that session
// stays listed, naming the app, and every way of ending sessions reaches it.
import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { CLIENTS, USER, codeFlow, startFixture, tokenRequest, type Fixture } from './fixtures.ts';
import { PageSession } from '../support/page-session.ts';
import { api, bearer, login, type Tokens } from '../support/api.ts';

interface Listed {
  id: string;
  current: boolean;
  clients: Array<{ client_id: string; client_name: string | null }>;
}

describe('offline grants after the browser session ends', function () {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(() => fx.server.close());

  /** The web app signs USER in through the pages with offline_access; then USER signs out there (RP-initiated logout). */
  async function signInThenSignOut(): Promise<{ refreshToken: string; browserSid: string; apiTokens: Tokens }> {
    const config = await fx.rp(CLIENTS.web);
    const browser = new PageSession();
    const { tokens } = await codeFlow(config, { scope: 'openid offline_access' }, browser);
    assert.ok(tokens.refresh_token, 'offline_access gives the app a refresh token');

    const apiTokens = await login(fx.server, USER);
    const before = await listSessions(apiTokens);
    const browserSession = before.find((s) => !s.current);
    assert.ok(browserSession, 'the browser sign-in is listed');
    assert.deepEqual(browserSession.clients, [{ client_id: CLIENTS.web.client_id, client_name: CLIENTS.web.client_name }]);

    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
    const confirm = await browser.follow(endUrl.href);
    assert.equal(confirm.status, 200);
    const done = await browser.submit(confirm, { logout: 'yes' });
    assert.equal(done.status, 303);
    return { refreshToken: tokens.refresh_token, browserSid: browserSession.id, apiTokens };
  }

  async function listSessions(tokens: Tokens): Promise<Listed[]> {
    const res = await api(fx.server).get('/api/v1/me/sessions').set(bearer(tokens.access_token));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Listed[];
  }

  const refresh = (refreshToken: string) =>
    tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: refreshToken });

  /** The app's refresh token still works after the sign-out (that is what offline_access is for); returns the rotated one. */
  async function stillRefreshes(refreshToken: string): Promise<string> {
    const res = await refresh(refreshToken);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return String(res.body.refresh_token);
  }

  async function assertRefused(refreshToken: string): Promise<void> {
    const res = await refresh(refreshToken);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'invalid_grant');
  }

  it('keeps the signed-out session listed with the app, and revoking it ends the refresh token', async () => {
    const { refreshToken, browserSid, apiTokens } = await signInThenSignOut();
    const listed = (await listSessions(apiTokens)).find((s) => s.id === browserSid);
    assert.ok(listed, 'the session is still listed while the offline grant lives');
    assert.deepEqual(listed.clients, [{ client_id: CLIENTS.web.client_id, client_name: CLIENTS.web.client_name }]);
    const rotated = await stillRefreshes(refreshToken);

    assert.equal((await api(fx.server).delete(`/api/v1/me/sessions/${browserSid}`).set(bearer(apiTokens.access_token))).status, 204);
    await assertRefused(rotated);
    assert.ok(!(await listSessions(apiTokens)).some((s) => s.id === browserSid));
  });

  it('"sign out other sessions" ends the offline grant of a signed-out session', async () => {
    const { refreshToken, apiTokens } = await signInThenSignOut();
    const rotated = await stillRefreshes(refreshToken);
    const res = await api(fx.server).delete('/api/v1/me/sessions').set(bearer(apiTokens.access_token));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { revoked: 1 });
    await assertRefused(rotated);
  });

  it('a password change ends the offline grant of a signed-out session', async () => {
    const { refreshToken, apiTokens } = await signInThenSignOut();
    const rotated = await stillRefreshes(refreshToken);
    const res = await api(fx.server).post('/api/v1/me/password').set(bearer(apiTokens.access_token))
      .send({ current_password: USER.password, new_password: 'a different long passphrase' });
    assert.equal(res.status, 204);
    await assertRefused(rotated);
  });

  it('logout {all: true} ends the offline grant of a signed-out session', async () => {
    const { refreshToken, apiTokens } = await signInThenSignOut();
    const rotated = await stillRefreshes(refreshToken);
    assert.equal((await api(fx.server).post('/api/v1/auth/logout').set(bearer(apiTokens.access_token)).send({ all: true })).status, 204);
    await assertRefused(rotated);
  });

  it('ends and unlists a signed-out session once its app revokes the last grant', async () => {
    const { refreshToken, browserSid, apiTokens } = await signInThenSignOut();
    const rotated = await stillRefreshes(refreshToken);
    const revoked = await fetch(`${fx.server.issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENTS.web.client_id}:${CLIENTS.web.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: rotated, token_type_hint: 'refresh_token' }),
    });
    assert.equal(revoked.status, 200);
    await assertRefused(rotated);
    assert.ok(!(await listSessions(apiTokens)).some((s) => s.id === browserSid));
  });

  it('ends a signed-out session that holds no offline grant', async () => {
    const config = await fx.rp(CLIENTS.web);
    const browser = new PageSession();
    const { tokens } = await codeFlow(config, { scope: 'openid' }, browser);
    assert.equal(tokens.refresh_token, undefined);
    const confirm = await browser.follow(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).href);
    assert.equal((await browser.submit(confirm, { logout: 'yes' })).status, 303);
    const apiTokens = await login(fx.server, USER);
    assert.deepEqual((await listSessions(apiTokens)).map((s) => s.current), [true]);
  });
});
