// The administration story end to end, on a real server over real HTTP: an
// admin disables an account; its access token, its refresh tokens (at the
// token endpoint and at /api/v1/auth/refresh) and its sign-ins are refused;
// enabled again, it signs in. Then the audit log, read through the admin
// API, tells the whole story: who did what to whom, from where, with what
// result. Each step comes from its own address (TRUST_PROXY_HOPS=1), so an
// event's `ip` shows it is the one of that request.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { api, assertError, bearer, login } from '../support/api.ts';
import { PASSWORD, signedIn, uniqueEmail, type SignedIn } from '../support/admin.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

interface AuditEvent {
  id: string;
  at: string;
  type: string;
  result: 'success' | 'failure';
  actor: { type: string; id: string | null };
  subject_id: string | null;
  client_id: string | null;
  session_id: string | null;
  ip: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

/** Documentation addresses (RFC 5737), one per kind of request. */
const IP = {
  admin: '198.51.100.1',
  me: '198.51.100.2',
  tokenEndpoint: '198.51.100.3',
  apiRefresh: '198.51.100.4',
  disabledSignIn: '198.51.100.5',
  wrongPassword: '198.51.100.6',
  signInAgain: '198.51.100.7',
};
const from = (ip: string) => ({ 'X-Forwarded-For': ip });

describe('an admin disables an account, then enables it: what the account sees, and what the audit log says', function () {
  this.timeout(120_000);
  let server: TestServer;
  let admin: SignedIn;
  before(async () => {
    server = await startTestServer({ env: { TRUST_PROXY_HOPS: '1' } });
    admin = await signedIn(server, 'admin');
  });
  after(() => server?.close());

  const patchUser = (id: string, body: object) =>
    api(server).patch(`/api/v1/admin/users/${id}`).set({ ...bearer(admin.token), ...from(IP.admin) }).send(body);

  /** Every page of GET /api/v1/admin/audit-events with this query, as the admin. */
  async function auditEvents(query: Record<string, string>): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(server).get('/api/v1/admin/audit-events').set(bearer(admin.token))
        .query({ ...query, limit: '200', ...(cursor !== null && { cursor }) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const page = res.body as { items: AuditEvent[]; next_cursor: string | null };
      events.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return events;
  }

  /** The token endpoint's refresh grant for the built-in first-party client (public: client_id in the form). */
  const refreshAtTokenEndpoint = (refreshToken: string) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from(IP.tokenEndpoint) },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'gatehouse', refresh_token: refreshToken }),
    });

  it('refuses the account everywhere while disabled, lets it in once enabled, and audits every step', async () => {
    const email = uniqueEmail('disabled-story');
    const { id } = await createTestAccount(server, { email, password: PASSWORD });
    // Two sign-ins (two sessions): one refresh token for each refresh route.
    const first = await login(server, { email, password: PASSWORD });
    const second = await login(server, { email, password: PASSWORD });
    assert.equal((await api(server).get('/api/v1/me').set(bearer(first.access_token))).status, 200);
    // A millisecond after every event so far, and not later than any event to come.
    const sinceMs = Date.now() + 1;
    while (Date.now() < sinceMs) await new Promise((resolve) => setTimeout(resolve, 1));
    const since = new Date(sinceMs).toISOString();

    const disabled = await patchUser(id, { disabled: true });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.disabled, true);

    // The very next request with what the account held before.
    assertError(await api(server).get('/api/v1/me').set({ ...bearer(first.access_token), ...from(IP.me) }), 401, 'UNAUTHENTICATED');
    const atTokenEndpoint = await refreshAtTokenEndpoint(first.refresh_token);
    assert.equal(atTokenEndpoint.status, 400);
    assert.equal(((await atTokenEndpoint.json()) as { error: string }).error, 'invalid_grant');
    assertError(
      await api(server).post('/api/v1/auth/refresh').set(from(IP.apiRefresh)).send({ refresh_token: second.refresh_token }),
      401, 'INVALID_REFRESH_TOKEN',
    );
    // Told it is disabled only after the right password.
    assertError(
      await api(server).post('/api/v1/auth/login').set(from(IP.disabledSignIn)).send({ email, password: PASSWORD }),
      403, 'ACCOUNT_DISABLED',
    );
    assertError(
      await api(server).post('/api/v1/auth/login').set(from(IP.wrongPassword)).send({ email, password: 'not the password at all' }),
      401, 'INVALID_CREDENTIALS',
    );

    const enabled = await patchUser(id, { disabled: false });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal(enabled.body.disabled, false);
    const again = await login(server, { email, password: PASSWORD }, from(IP.signInAgain));
    const me = await api(server).get('/api/v1/me').set(bearer(again.access_token));
    assert.equal(me.status, 200);
    assert.equal(me.body.id, id);
    // The tokens from before stay dead: enabling starts nothing again.
    assertError(await api(server).get('/api/v1/me').set(bearer(first.access_token)), 401, 'UNAUTHENTICATED');
    assert.equal((await refreshAtTokenEndpoint(first.refresh_token)).status, 400);

    // --- The audit log, through the admin API. ---
    const adminSession = decodeJwt(admin.token).sid;
    const aboutAccount = await auditEvents({ subject_id: id, since });
    const summary = (e: AuditEvent) =>
      [e.type, e.result, e.reason, e.actor.type, e.actor.id, e.subject_id, e.ip, e.client_id].join(' ');
    // Every step about the account, and nothing else (the refused bearer
    // request is not an event: it names no account it could trust).
    assert.deepEqual(aboutAccount.map(summary).sort(), [
      `admin.adminUpdateUser success  user ${admin.id} ${id} ${IP.admin} `,
      `admin.adminUpdateUser success  user ${admin.id} ${id} ${IP.admin} `,
      `sign_in failure ACCOUNT_DISABLED anonymous  ${id} ${IP.disabledSignIn} gatehouse`,
      `sign_in failure INVALID_CREDENTIALS anonymous  ${id} ${IP.wrongPassword} gatehouse`,
      `sign_in success  user ${id} ${id} ${IP.signInAgain} gatehouse`,
    ].sort());

    // In the order they happened (newest first; `at` may tie within a millisecond).
    const [signedInAgain, enabling, wrongPassword, disabledSignIn, disabling] = aboutAccount;
    assert.ok(aboutAccount.every((e, i) => i === 0 || e.at <= aboutAccount[i - 1]!.at), 'newest first');
    assert.equal(signedInAgain!.type, 'sign_in');
    assert.equal(signedInAgain!.result, 'success');
    assert.deepEqual(signedInAgain!.details.amr, ['pwd']);
    assert.deepEqual([disabling!.type, enabling!.type], ['admin.adminUpdateUser', 'admin.adminUpdateUser']);
    for (const change of [disabling!, enabling!]) {
      // Which fields the admin changed, never their values; the admin's own session.
      assert.deepEqual(change.details, { method: 'PATCH', route: '/api/v1/admin/users/:id', fields: ['disabled'] });
      assert.equal(change.session_id, adminSession);
    }
    assert.ok(disabling!.at <= disabledSignIn!.at && disabledSignIn!.at <= enabling!.at);
    assert.ok(wrongPassword!.at <= enabling!.at && enabling!.at <= signedInAgain!.at);
    for (const refusal of [disabledSignIn!, wrongPassword!]) {
      assert.equal(refusal.details.step, 'password');
      assert.equal(refusal.details.identifier_hash, undefined, 'the address is an account: named by subject, not hashed');
    }

    // By the admin: both changes, and nothing of the account's own doing.
    const byAdmin = await auditEvents({ actor_id: admin.id, since });
    assert.ok(byAdmin.every((e) => e.actor.type === 'user' && e.actor.id === admin.id));
    assert.deepEqual(byAdmin.filter((e) => e.subject_id === id).map((e) => e.id).sort(), [disabling!.id, enabling!.id].sort());
    assert.deepEqual(
      byAdmin.filter((e) => e.type === 'admin.adminUpdateUser').map((e) => e.id).sort(),
      [disabling!.id, enabling!.id].sort(),
    );

    // The refused refreshes: the token endpoint's refusal (the API route runs
    // the same grant). Revocation deleted the tokens, so nothing names the
    // account any more: they are known by client, address and reason.
    const refused = await auditEvents({ type: 'token.refused', client_id: 'gatehouse', since });
    assert.deepEqual(refused.map(summary).sort(), [
      `token.refused failure invalid_grant anonymous   ${IP.apiRefresh} gatehouse`,
      `token.refused failure invalid_grant anonymous   ${IP.tokenEndpoint} gatehouse`,
      `token.refused failure invalid_grant anonymous   ${IP.tokenEndpoint} gatehouse`,
    ].sort());
    assert.ok(refused.every((e) => e.details.grant_type === 'refresh_token'));

    // Nothing secret anywhere in what the log holds about the story.
    const everything = JSON.stringify(await auditEvents({ since }));
    for (const secret of [PASSWORD, first.access_token, first.refresh_token, second.refresh_token, again.access_token, again.refresh_token, email]) {
      assert.ok(!everything.includes(secret), 'no token, password or address in the audit log');
    }
  });
});
