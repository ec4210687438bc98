// Browser sessions end 14 days after sign-in however busy they are kept, and
// after 3 idle days; anonymous visitors leave no long-lived rows behind.
import { strict as assert } from 'node:assert';
import { CLIENTS, CALLBACK, authorize, startFixture, type Fixture } from './fixtures.ts';
import { PageSession } from '../support/page-session.ts';
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS, sessionTtl } from '../../src/oidc/session-ttl.ts';

const DAY_MS = 24 * 3600_000;
const realNow = Date.now.bind(Date);

/** Run `fn` with the process clock (Date.now, which oidc-provider reads) moved forward; the server runs in this process. */
async function later<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  Date.now = () => realNow() + offsetMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

describe('browser session lifetime', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  async function browserSession() {
    const rows = await fx.server.store.sessions.findLiveByAccount(fx.accountId, new Date());
    const row = rows.find((s) => s.kind === 'browser');
    assert.ok(row, 'a browser session row');
    return row;
  }

  const cookieExpiry = (res: { headers: Headers }) => {
    const cookie = res.headers.getSetCookie().find((c) => /^_session=/.test(c));
    assert.ok(cookie, `a session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
    return Date.parse(/expires=([^;]+)/i.exec(cookie)![1]!);
  };

  it('kept busy every 2.5 days, still ends 14 days after sign-in (cookie, provider session and session row)', async () => {
    const browser = new PageSession();
    const signedInAt = realNow();
    await authorize(await fx.rp(CLIENTS.web), { scope: 'openid' }, browser);
    const first = await browserSession();
    assert.ok(first.expiresAt.getTime() <= signedInAt + SESSION_IDLE_SECONDS * 1000 + 60_000, 'the idle limit, not 14 days');

    // A visit every 2.5 days (inside the idle limit) saves the session each time.
    let last: { headers: Headers } | undefined;
    for (const days of [2.5, 5, 7.5, 10, 12.5, 13.5]) {
      last = await later(days * DAY_MS, () => browser.request(`${fx.server.issuer}/session/end`));
    }
    const limit = signedInAt + SESSION_ABSOLUTE_SECONDS * 1000 + 60_000;
    assert.ok(cookieExpiry(last!) <= limit, `cookie expires ${new Date(cookieExpiry(last!)).toISOString()}`);
    const row = await browserSession();
    assert.ok(row.expiresAt.getTime() <= limit, `session row expires ${row.expiresAt.toISOString()}`);
    assert.equal(row.id, first.id);

    // Past 14 days the cookie finds no session: the next authorization asks to sign in again.
    const url = `${fx.server.issuer}/auth?${new URLSearchParams({
      client_id: CLIENTS.web.client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', prompt: 'none',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`;
    const res = await later(14.1 * DAY_MS, () => browser.follow(url, (l) => l.startsWith(CALLBACK)));
    assert.equal(new URL(res.location!).searchParams.get('error'), 'login_required');
  });

  it('ttl.Session: idle limit, capped by the absolute limit, and short for anonymous sessions', () => {
    const now = 1_000_000_000;
    assert.equal(sessionTtl({ accountId: 'a', loginTs: now }, now), SESSION_IDLE_SECONDS);
    assert.equal(sessionTtl({ accountId: 'a', loginTs: now - 13 * 86_400 }, now), 86_400);
    assert.equal(sessionTtl({ accountId: 'a', loginTs: now - 20 * 86_400 }, now), 1);
    assert.ok(sessionTtl({}, now) <= 600);
  });
});

describe('anonymous requests', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  it('a burst of 100 anonymous /oidc/session/end and 100 /oidc/auth requests stores nothing that lives past 30 minutes', async () => {
    const auth = `${fx.server.issuer}/auth?${new URLSearchParams({
      client_id: CLIENTS.web.client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`;
    const urls = [...Array.from({ length: 100 }, () => `${fx.server.issuer}/session/end`), ...Array.from({ length: 100 }, () => auth)];
    // Prepared first, then fired together.
    const requests = urls.map((url) => () => fetch(url, { redirect: 'manual' }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    }));
    const statuses = await Promise.all(requests.map((send) => send()));
    assert.ok(statuses.every((s) => s === 200 || s === 303), JSON.stringify([...new Set(statuses)]));

    // Count by deleting: first what ends within 30 minutes (the burst's rows), then everything else.
    const shortLived = await fx.server.store.oidc.deleteExpired(new Date(realNow() + 30 * 60_000 + 60_000));
    const longLived = await fx.server.store.oidc.deleteExpired(new Date(realNow() + 100 * 365 * DAY_MS));
    assert.ok(shortLived >= 200, `the burst stored ${shortLived} short-lived rows`);
    assert.equal(longLived, 0);
  });
});
