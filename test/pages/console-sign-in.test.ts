// The consoles' sign-in (src/pages/console/): the built-in gatehouse-console
// client through the real authorization-code flow with PKCE, the local-only
// return path, the permission refusal, the refresh of an expired access
// token, re-authentication and sign-out.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware/security-headers.ts';
import { loadOrCreateSecrets } from '../../src/oidc/secrets.ts';
import { PASSWORD, uniqueEmail } from '../support/admin.ts';
import { signInToConsole } from '../support/console-session.ts';
import { PageSession } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const COOKIE = 'gatehouse.console';

/** The cookie's JSON, as the server wrote it. */
function tokensIn(session: PageSession): Record<string, unknown> {
  const raw = session.cookie(COOKIE) ?? assert.fail('no console cookie');
  return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('console sign-in', function () {
  let server: TestServer;
  let base: string;

  before(async function () {
    server = await startTestServer();
    base = server.url;
  });
  after(() => server?.close());

  /** The console cookie with these contents, signed with the server's key as the server would (a browser's cookie some time later). */
  async function forgeCookie(contents: Record<string, unknown>): Promise<string> {
    const { cookieKeys } = await loadOrCreateSecrets(server.store.secrets);
    const value = Buffer.from(JSON.stringify(contents)).toString('base64url');
    const sig = createHmac('sha1', cookieKeys[0]!).update(`${COOKIE}=${value}`).digest('base64')
      .replace(/\//g, '_').replace(/\+/g, '-').replace(/=/g, '');
    return `${COOKIE}=${value}; ${COOKIE}.sig=${sig}`;
  }

  async function account(role = 'user') {
    const email = uniqueEmail('console');
    const { id } = await createTestAccount(server, { email, password: PASSWORD, role });
    return { id, email, password: PASSWORD };
  }

  it('signs in through the code flow with PKCE, state and nonce, and comes back to the page asked for', async () => {
    const user = await account();
    const session = new PageSession();
    const first = await session.request(`${base}/account`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/console/login?return=%2Faccount');

    const start = await session.request(`${base}/console/login?return=%2Faccount`);
    const auth = new URL(start.headers.get('location') ?? assert.fail('no redirect'));
    assert.equal(auth.origin + auth.pathname, `${server.issuer}/auth`);
    assert.equal(auth.searchParams.get('client_id'), 'gatehouse-console');
    assert.equal(auth.searchParams.get('redirect_uri'), `${base}/console/callback`);
    assert.equal(auth.searchParams.get('scope'), 'openid offline_access api');
    assert.equal(auth.searchParams.get('resource'), server.config.apiAudience);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    for (const name of ['state', 'nonce', 'code_challenge']) assert.match(auth.searchParams.get(name) ?? '', /^[A-Za-z0-9_-]{43}$/);
    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith('gatehouse.console-flow='));
    assert.match(flowCookie ?? '', /httponly/i);
    assert.match(flowCookie ?? '', /samesite=lax/i);

    const page = await signInToConsole(session, base, '/account', user);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.body, new RegExp(user.email.replace(/[.+]/g, '\\$&')));
    assert.equal(tokensIn(session).accountId, user.id);
    // Browsers keep cookies up to 4096 bytes; the tokens must fit with room to spare.
    assert.ok(session.cookie(COOKIE)!.length < 3000, `console cookie is ${session.cookie(COOKIE)!.length} bytes`);
    assert.equal(session.cookie('gatehouse.console-flow'), undefined, 'the flow cookie is spent');

    // The cookie's access token is an API token like any other.
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${String(tokensIn(session).accessToken)}` } });
    assert.equal(me.status, 200);
  });

  it('refuses a return path off this server and a callback whose state does not match', async () => {
    const user = await account();
    for (const hostile of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/%0d%0aLocation:x']) {
      const session = new PageSession();
      const login = await session.follow(`${base}/console/login?return=${encodeURIComponent(hostile)}`);
      const submitted = await session.submit(login, { ...user, action: 'login' });
      assert.ok(submitted.location, submitted.body.slice(0, 300));
      const back = await session.follow(submitted.location!, (url) => url.startsWith(`${base}/console/callback`));
      const answer = await session.request(back.location!);
      assert.equal(answer.status, 303);
      assert.ok(['/account', '/%0d%0aLocation:x'].includes(answer.headers.get('location')!), `return=${hostile}`);
    }
    const forged = await new PageSession().request(`${base}/console/callback?code=x&state=y`);
    assert.equal(forged.status, 400);
    assert.match(forged.body, /started elsewhere or has expired/);
  });

  it('answers 403 on a page whose permission the role lacks, and lets an admin in', async () => {
    const user = await account('user');
    const refused = await signInToConsole(new PageSession(), base, '/admin', user);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /needs an admin permission/);

    const admin = await account('admin');
    const allowed = await signInToConsole(new PageSession(), base, '/admin', admin);
    assert.equal(allowed.status, 200);
  });

  it('refreshes an expired access token through the token endpoint, rotating the refresh token', async () => {
    const user = await account();
    const session = new PageSession();
    await signInToConsole(session, base, '/account', user);
    const before = tokensIn(session);

    // The browser's cookie as it is once the access token has expired.
    const cookie = await forgeCookie({ ...before, expiresAt: Date.now() - 1000 });
    const res = await fetch(`${base}/account`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(res.status, 200, 'signed in still, with new tokens');
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`)) ?? assert.fail('no new cookie');
    const after = JSON.parse(Buffer.from(set.slice(COOKIE.length + 1).split(';')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.ok(Number(after.expiresAt) > Date.now());

    // The old refresh token was consumed: presenting it again is reuse, which ends the session.
    const replay = await fetch(`${base}/account`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(replay.status, 303);
    assert.match(replay.headers.get('location') ?? '', /^\/console\/login\?return=%2Faccount/);
  });

  it('sends a sign-in older than five minutes through the login page again before deleting the account', async () => {
    const user = await account();
    const session = new PageSession();
    await signInToConsole(session, base, '/account', user);
    const fresh = await session.request(`${base}/account/delete`);
    assert.equal(fresh.status, 200, 'a sign-in just now may delete');

    const old = await forgeCookie({ ...tokensIn(session), authTime: Math.floor(Date.now() / 1000) - 301 });
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${base}/account/delete`, { method, headers: { cookie: old }, redirect: 'manual' });
      assert.equal(res.status, 303, method);
      assert.equal(res.headers.get('location'), '/console/login?return=%2Faccount%2Fdelete&max_age=300', method);
    }
    const stillIn = await fetch(`${base}/account`, { headers: { cookie: old }, redirect: 'manual' });
    assert.equal(stillIn.status, 200, 'the old sign-in is still good for everything else');
  });

  it('sends an old sign-in through the login page again with max_age, and signs out by POST with CSRF', async () => {
    const user = await account();
    const session = new PageSession();
    const page = await signInToConsole(session, base, '/account', user);

    const reauth = await session.request(`${base}/console/login?return=%2Faccount&max_age=0`);
    assert.equal(new URL(reauth.headers.get('location')!).searchParams.get('max_age'), '0');
    const asked = await session.follow(reauth.headers.get('location')!);
    assert.match(asked.body, /name="password"/, 'max_age=0 asks for the password again despite the live session');

    const withoutCsrf = await session.request(`${base}/console/logout`, { form: { _csrf: 'forged' } });
    assert.equal(withoutCsrf.status, 403);
    const token = tokensIn(session).accessToken as string;
    const out = await session.submit(page, {});
    assert.equal(out.status, 303);
    assert.equal(session.cookie(COOKIE), undefined, 'the cookie is cleared');
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 401, 'the session has ended');
    const again = await session.request(`${base}/account`);
    assert.equal(again.status, 303);
  });
});
