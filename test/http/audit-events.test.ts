// Each feed of API.md's "Audit events", driven through real requests on a
// running server: the event it appends, with actor, subject, client, IP and
// result, and what it must never contain.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import type { AuditEventRecord, AuditFilter } from '../../src/storage/ports.ts';
import * as oidc from 'openid-client';
import { CLIENTS, USER, authorize, codeFlow, startFixture, tokenRequest, type Fixture } from '../oidc/fixtures.ts';
import { api, assertError, bearer, linkToken, login } from '../support/api.ts';
import { PageSession } from '../support/page-session.ts';
import { createTestAccount } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const PASSWORD = 'correct horse battery staple';
const LOCK_AFTER = 3;
let counter = 0;
const unique = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;
/** A documentation address per request, so each test finds its own events by IP. */
const nextIp = () => `198.51.100.${(counter += 1) % 250}`;
const UA = 'audit-test/1.0';
const sidOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

describe('audit events: feeds', function () {
  let fixture: Fixture;
  let smtp: SmtpCapture;

  before(async () => {
    smtp = await startSmtpCapture();
    fixture = await startFixture({
      SMTP_URL: smtp.url,
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(LOCK_AFTER),
    });
  });
  after(async () => {
    await fixture?.server.close();
    await smtp?.close();
  });

  const server = () => fixture.server;
  const from = (ip: string) => ({ 'X-Forwarded-For': ip, 'User-Agent': UA });
  const events = (filter: AuditFilter) => server().store.audit.list(filter, { limit: 100 });
  const only = async (filter: AuditFilter): Promise<AuditEventRecord> => {
    const found = await events(filter);
    assert.equal(found.length, 1, `expected one event for ${JSON.stringify(filter)}, got ${JSON.stringify(found)}`);
    return found[0]!;
  };
  const ofType = async (type: string, subjectId: string) => only({ type, subjectId });

  async function verifiedAccount(tag: string) {
    const email = unique(tag);
    const { id } = await createTestAccount(server(), { email, password: PASSWORD });
    return { email, id };
  }

  describe('sign-in', () => {
    it('JSON login success: actor and subject the user, the built-in client, IP and user agent', async () => {
      const { email, id } = await verifiedAccount('ok');
      const ip = nextIp();
      const tokens = await login(server(), { email, password: PASSWORD }, from(ip));
      const event = await ofType('sign_in', id);
      assert.equal(event.result, 'success');
      assert.deepEqual([event.actorType, event.actorId], ['user', id]);
      assert.equal(event.clientId, 'gatehouse');
      assert.equal(event.ip, ip);
      assert.equal(event.userAgent, UA);
      assert.deepEqual(event.details.amr, ['pwd']);
      assert.ok(!JSON.stringify(event).includes(tokens.access_token));
    });

    it('JSON login wrong password: a failure on the account, by an anonymous actor, reason INVALID_CREDENTIALS', async () => {
      const { email, id } = await verifiedAccount('wrong');
      const ip = nextIp();
      assertError(await api(server()).post('/api/v1/auth/login').set(from(ip)).send({ email, password: 'not the password at all' }), 401, 'INVALID_CREDENTIALS');
      const event = await ofType('sign_in', id);
      assert.deepEqual([event.result, event.reason, event.actorType, event.actorId, event.ip], ['failure', 'INVALID_CREDENTIALS', 'anonymous', null, ip]);
      assert.equal(event.details.identifier_hash, undefined);
    });

    it('unknown address: no subject, a keyed hash of the normalised address, never the address', async () => {
      const email = unique('nobody');
      const ip = nextIp();
      for (const typed of [email, `  ${email.toUpperCase()} `]) {
        assertError(await api(server()).post('/api/v1/auth/login').set(from(ip)).send({ email: typed, password: 'some guess 123' }), 401, 'INVALID_CREDENTIALS');
      }
      const found = await events({ type: 'sign_in', result: 'failure' }).then((all) => all.filter((e) => e.ip === ip));
      assert.equal(found.length, 2);
      const [a, b] = found as [AuditEventRecord, AuditEventRecord];
      assert.equal(a.subjectId, null);
      assert.match(String(a.details.identifier_hash), /^hmac-sha256:[\w-]{43}$/);
      assert.equal(a.details.identifier_hash, b.details.identifier_hash, 'same address, same hash');
      const row = JSON.stringify(found).toLowerCase();
      assert.ok(!row.includes(email.split('@')[0]!), 'the local part never appears');
      assert.ok(!row.includes('some guess'), 'the password never appears');
    });

    it('EMAIL_NOT_VERIFIED after a correct password is a failure on the account', async () => {
      const email = unique('unverified');
      const { id } = await createTestAccount(server(), { email, password: PASSWORD, emailVerified: false });
      assertError(await api(server()).post('/api/v1/auth/login').set(from(nextIp())).send({ email, password: PASSWORD }), 403, 'EMAIL_NOT_VERIFIED');
      assert.equal((await ofType('sign_in', id)).reason, 'EMAIL_NOT_VERIFIED');
    });

    it('a lock engaging is sign_in.locked, and the refusals after it RATE_LIMITED', async () => {
      const { email, id } = await verifiedAccount('locked');
      const ip = nextIp();
      for (let i = 0; i < LOCK_AFTER; i += 1) {
        assertError(await api(server()).post('/api/v1/auth/login').set(from(ip)).send({ email, password: `wrong password ${i}` }), 401, 'INVALID_CREDENTIALS');
      }
      assertError(await api(server()).post('/api/v1/auth/login').set(from(ip)).send({ email, password: PASSWORD }), 429, 'RATE_LIMITED');
      const locked = await ofType('sign_in.locked', id);
      assert.deepEqual([locked.result, locked.reason, locked.ip], ['failure', 'RATE_LIMITED', ip]);
      const reasons = (await events({ type: 'sign_in', subjectId: id })).map((e) => e.reason);
      assert.deepEqual(reasons, ['RATE_LIMITED', ...Array(LOCK_AFTER).fill('INVALID_CREDENTIALS')]);
    });

    it('the token endpoint password grant records the sign-in with its client', async () => {
      const ok = await tokenRequest(server(), CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
      assert.equal(ok.status, 200);
      const bad = await tokenRequest(server(), CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: 'nope nope nope' });
      assert.equal(bad.status, 400);
      const mine = (await events({ type: 'sign_in', clientId: 'first-party', subjectId: fixture.accountId }));
      assert.deepEqual(mine.map((e) => [e.result, e.reason]), [['failure', 'INVALID_CREDENTIALS'], ['success', null]]);
      assert.ok(mine.every((e) => e.ip === '127.0.0.1' || e.ip === '::ffff:127.0.0.1'), 'the socket address, without X-Forwarded-For');
    });

    it('the login page records the sign-in, and consent granted or denied with the scopes asked', async () => {
      const config = await fixture.rp(CLIENTS.web);
      const since = new Date();
      const allowed = await authorize(config, {}, new PageSession(), 'allow');
      assert.ok(allowed.callback.searchParams.get('code'));
      const signIn = await only({ type: 'sign_in', clientId: 'web-app', subjectId: fixture.accountId, since });
      assert.deepEqual([signIn.result, signIn.actorId], ['success', fixture.accountId]);
      const granted = await only({ type: 'consent.granted', clientId: 'web-app', since });
      assert.equal(granted.subjectId, fixture.accountId);
      assert.ok(granted.sessionId, 'the browser session');
      assert.ok((granted.details.scopes as string[]).includes('openid'));

      const denied = await authorize(config, {}, new PageSession(), 'cancel');
      assert.equal(denied.callback.searchParams.get('error'), 'access_denied');
      const event = await only({ type: 'consent.denied', clientId: 'web-app', since });
      assert.deepEqual([event.result, event.reason, event.subjectId], ['failure', 'ACCESS_DENIED', fixture.accountId]);
    });
  });

  describe('account and sessions', () => {
    it('registration and verification', async () => {
      const email = unique('register');
      const ip = nextIp();
      const res = await api(server()).post('/api/v1/auth/register').set(from(ip)).send({ email, password: PASSWORD });
      assert.equal(res.status, 201);
      const id = res.body.user.id as string;
      assert.deepEqual([(await ofType('registration', id)).ip, (await ofType('registration', id)).actorId], [ip, id]);
      const mail = await smtp.waitFor((m) => m.to.includes(email) && /confirm/i.test(m.subject));
      assert.equal((await api(server()).post('/api/v1/auth/verify-email').send({ token: linkToken(mail, '/account/verify-email') })).status, 204);
      assert.equal((await ofType('email.verified', id)).result, 'success');
    });

    it('logout: sign_out of the session, by the user', async () => {
      const { email, id } = await verifiedAccount('logout');
      const tokens = await login(server(), { email, password: PASSWORD });
      const sid = sidOf(tokens.access_token);
      const ip = nextIp();
      assert.equal((await api(server()).post('/api/v1/auth/logout').set({ ...bearer(tokens.access_token), ...from(ip) }).send({})).status, 204);
      const event = await ofType('sign_out', id);
      assert.deepEqual([event.actorType, event.actorId, event.sessionId, event.ip, event.details.all], ['user', id, sid, ip, false]);
    });

    it('refresh-token reuse: a failure on the account naming the session it ended', async () => {
      const { email, id } = await verifiedAccount('reuse');
      const first = await login(server(), { email, password: PASSWORD });
      const rotated = await api(server()).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token });
      assert.equal(rotated.status, 200);
      assertError(await api(server()).post('/api/v1/auth/refresh').send({ refresh_token: first.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      const event = await ofType('refresh_token.reuse', id);
      assert.equal(event.result, 'failure');
      assert.equal(event.clientId, 'gatehouse');
      assert.ok(event.sessionId);
      assert.ok(!JSON.stringify(event).includes(first.refresh_token));
    });

    it('password reset request (known and unknown address) and completion', async () => {
      const { email, id } = await verifiedAccount('reset');
      assert.equal((await api(server()).post('/api/v1/auth/password-reset').set(from(nextIp())).send({ email })).status, 202);
      assert.equal((await ofType('password_reset.requested', id)).result, 'success');
      const stranger = unique('stranger');
      const ip = nextIp();
      assert.equal((await api(server()).post('/api/v1/auth/password-reset').set(from(ip)).send({ email: stranger })).status, 202);
      const unknown = (await events({ type: 'password_reset.requested' })).find((e) => e.ip === ip)!;
      assert.equal(unknown.subjectId, null);
      assert.match(String(unknown.details.identifier_hash), /^hmac-sha256:/);
      assert.ok(!JSON.stringify(unknown).includes(stranger.split('@')[0]!));

      const mail = await smtp.waitFor((m) => m.to.includes(email) && /reset/i.test(m.subject));
      const confirm = await api(server()).post('/api/v1/auth/password-reset/confirm')
        .send({ token: linkToken(mail, '/account/reset-password'), new_password: 'a brand new passphrase here' });
      assert.equal(confirm.status, 204);
      assert.deepEqual([(await ofType('password_reset.completed', id)).actorId], [id]);
    });

    it('password change: a refused attempt with WRONG_PASSWORD, then the change', async () => {
      const { email, id } = await verifiedAccount('change');
      const tokens = await login(server(), { email, password: PASSWORD });
      const change = (current: string) => api(server()).post('/api/v1/me/password').set(bearer(tokens.access_token))
        .send({ current_password: current, new_password: 'another long passphrase' });
      assertError(await change('not my password'), 403, 'WRONG_PASSWORD');
      assert.equal((await change(PASSWORD)).status, 204);
      const [done, refused] = await events({ type: 'password.changed', subjectId: id }) as [AuditEventRecord, AuditEventRecord];
      assert.deepEqual([refused.result, refused.reason, done.result, done.actorId], ['failure', 'WRONG_PASSWORD', 'success', id]);
    });

    it('session revocation names the revoked session; the actor is the caller', async () => {
      const { email, id } = await verifiedAccount('revoke');
      const kept = await login(server(), { email, password: PASSWORD });
      const other = await login(server(), { email, password: PASSWORD });
      const otherSid = sidOf(other.access_token);
      assert.equal((await api(server()).delete(`/api/v1/me/sessions/${otherSid}`).set(bearer(kept.access_token))).status, 204);
      const event = await ofType('session.revoked', id);
      assert.deepEqual([event.actorId, event.details.revoked_session_id], [id, otherSid]);
      assert.notEqual(event.sessionId, otherSid, 'session_id is the caller’s own session');
    });

    it('account deletion is recorded and outlives the account', async () => {
      const { email, id } = await verifiedAccount('delete');
      const tokens = await login(server(), { email, password: PASSWORD });
      assert.equal((await api(server()).delete('/api/v1/me').set(bearer(tokens.access_token)).send({ password: PASSWORD })).status, 204);
      assert.equal(await server().store.accounts.findById(id), undefined);
      assert.deepEqual([(await ofType('account.deleted', id)).actorId], [id]);
    });
  });

  describe('oidc-provider events', () => {
    it('token.granted for a code exchange and client credentials; token.refused for a bad client secret', async () => {
      const since = new Date();
      await codeFlow(await fixture.rp(CLIENTS.web));
      const code = await only({ type: 'token.granted', clientId: 'web-app', since });
      assert.deepEqual([code.actorId, code.subjectId, code.details.grant_type], [fixture.accountId, fixture.accountId, 'authorization_code']);

      assert.equal((await tokenRequest(server(), CLIENTS.service, { grant_type: 'client_credentials' })).status, 200);
      const service = await only({ type: 'token.granted', clientId: 'service', since });
      assert.deepEqual([service.actorType, service.actorId, service.subjectId], ['client', 'service', null]);

      const refused = await tokenRequest(server(), { ...CLIENTS.service, client_secret: 'a wrong client secret' }, { grant_type: 'client_credentials' });
      assert.equal(refused.status, 401);
      const event = await only({ type: 'token.refused', since });
      assert.deepEqual([event.result, event.reason], ['failure', 'invalid_client']);
      assert.ok(!JSON.stringify(event).includes('a wrong client secret'));
    });

    it('grant.revoked at the revocation endpoint, sign_out at RP-initiated logout', async () => {
      const config = await fixture.rp(CLIENTS.web);
      const session = new PageSession();
      const { tokens } = await codeFlow(config, {}, session);
      const since = new Date();
      await oidc.tokenRevocation(config, tokens.refresh_token!);
      const revoked = await only({ type: 'grant.revoked', clientId: 'web-app', since });
      assert.equal(revoked.subjectId, fixture.accountId);

      const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: CLIENTS.web.post_logout_redirect_uris[0] });
      const confirm = await session.follow(endUrl.href);
      await session.submit(confirm, { logout: 'yes' });
      const signOut = await only({ type: 'sign_out', subjectId: fixture.accountId, since });
      assert.deepEqual([signOut.actorId, signOut.clientId, signOut.details.rp_initiated], [fixture.accountId, 'web-app', true]);
      assert.ok(signOut.sessionId);
    });
  });

  it('stores no password, token, code or secret, nor an unknown address, after a run of sign-ins', async () => {
    const secrets: string[] = [PASSWORD, USER.password, 'wrong guess for audit'];
    const { email } = await verifiedAccount('dump');
    const tokens = await login(server(), { email, password: PASSWORD });
    secrets.push(tokens.access_token, tokens.refresh_token, tokens.id_token ?? 'no id token');
    const refreshed = await api(server()).post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token });
    secrets.push(refreshed.body.refresh_token, refreshed.body.access_token);
    const stranger = unique('ghost');
    await api(server()).post('/api/v1/auth/login').send({ email: stranger, password: 'wrong guess for audit' });
    await api(server()).post('/api/v1/auth/login').send({ email, password: 'wrong guess for audit' });
    const code = await authorize(await fixture.rp(CLIENTS.web));
    secrets.push(code.callback.searchParams.get('code')!, CLIENTS.web.client_secret);

    const dump = JSON.stringify(await server().store.audit.list({}, { limit: 1000 }));
    for (const secret of secrets) assert.ok(!dump.includes(secret), `the audit log holds a secret: ${secret.slice(0, 12)}…`);
    assert.ok(!dump.includes(stranger.split('@')[0]!), 'the unknown address appears');
    assert.ok(!/argon2/.test(dump));
  });
});
