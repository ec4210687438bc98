// REGISTRATION_ENABLED and HIDE_EXISTING_ACCOUNTS: register on the API and the
// pages, the links that lead to sign-up, and the owner's mail for a taken address.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { api, assertError, bearer, login } from '../support/api.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { PageSession } from '../support/page-session.ts';
import { CALLBACK, CLIENTS } from '../oidc/fixtures.ts';

const STRONG = 'plum kettle harbour seventeen';

/** A fresh authorization request followed to its login page. */
async function loginPageOf(server: TestServer): Promise<string> {
  const rp = await oidc.discovery(new URL(server.issuer), CLIENTS.firstParty.client_id, undefined, oidc.ClientSecretBasic(CLIENTS.firstParty.client_secret), { execute: [oidc.allowInsecureRequests] });
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: CALLBACK, scope: 'openid', state: oidc.randomState(),
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
  });
  const page = await new PageSession().follow(url.href, (location) => location.startsWith(CALLBACK));
  assert.equal(page.status, 200);
  assert.match(page.body, /name="prompt" value="login"/);
  return page.body;
}

describe('registration switches', function () {
  describe('REGISTRATION_ENABLED=false', function () {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ clients: Object.values(CLIENTS) as never, env: { REGISTRATION_ENABLED: 'false' } });
    });
    after(() => server?.close());

    it('register answers 403 REGISTRATION_DISABLED and creates nothing, even for a valid body', async () => {
      const res = await api(server).post('/api/v1/auth/register').send({ email: 'closed@example.com', password: STRONG });
      assertError(res, 403, 'REGISTRATION_DISABLED');
      assert.equal(await server.store.accounts.findByEmail('closed@example.com'), undefined);
      const events = await server.store.audit.list({ type: 'registration' }, { limit: 10 });
      assert.ok(events.some((e) => e.reason === 'REGISTRATION_DISABLED' && e.result === 'failure'), 'the refusal is audited');
    });

    it('the register page explains sign-up is closed, with no form; a post is refused with 403', async () => {
      const session = new PageSession();
      const page = await session.request(`${server.url}/account/register`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Sign-up is closed/);
      assert.doesNotMatch(page.body, /<form[^>]*action="\/account\/register"/);
      const posted = await session.request(`${server.url}/account/register`, { method: 'POST', form: { email: 'page@example.com', password: STRONG } });
      assert.equal(posted.status, 403);
      assert.match(posted.body, /Sign-up is closed/);
      assert.equal(await server.store.accounts.findByEmail('page@example.com'), undefined);
    });

    it('the login page and the front door show no "Create an account" link', async () => {
      assert.doesNotMatch(await loginPageOf(server), /Create an account|\/account\/register/);
      const home = await new PageSession().request(`${server.url}/`);
      assert.equal(home.status, 200);
      assert.doesNotMatch(home.body, /Create an account|\/account\/register/);
    });

    it('an admin still creates accounts through the admin API', async () => {
      await createTestAccount(server, { email: 'root@example.com', password: STRONG, role: 'admin' });
      const { access_token } = await login(server, { email: 'root@example.com', password: STRONG });
      const res = await api(server).post('/api/v1/admin/users').set(bearer(access_token))
        .send({ email: 'made-by-admin@example.com', password: 'another strong passphrase', name: 'Made' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.ok(await server.store.accounts.findByEmail('made-by-admin@example.com'));
    });
  });

  describe('REGISTRATION_ENABLED=true (default)', function () {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ clients: Object.values(CLIENTS) as never });
    });
    after(() => server?.close());

    it('the login page and the front door link to sign-up', async () => {
      assert.match(await loginPageOf(server), />Create an account</);
      assert.match((await new PageSession().request(`${server.url}/`)).body, />Create an account</);
    });
  });

  describe('HIDE_EXISTING_ACCOUNTS=true', function () {
    let server: TestServer;
    let smtp: SmtpCapture;
    before(async () => {
      smtp = await startSmtpCapture();
      server = await startTestServer({ env: { HIDE_EXISTING_ACCOUNTS: 'true', SMTP_URL: smtp.url } });
    });
    after(async () => {
      await server?.close();
      await smtp?.close();
    });

    it('answers 202 with one body for a new and a taken address; the new one gets its verification mail', async () => {
      const fresh = await api(server).post('/api/v1/auth/register').send({ email: 'new@example.com', password: STRONG, name: 'New' });
      assert.equal(fresh.status, 202, JSON.stringify(fresh.body));
      assert.deepEqual(Object.keys(fresh.body), ['message']);
      const created = await server.store.accounts.findByEmail('new@example.com');
      assert.ok(created);
      const verification = await smtp.waitFor((m) => m.rcptTo.includes('new@example.com'));
      assert.match(verification.text ?? '', /\/account\/verify-email\?token=/);

      const taken = await api(server).post('/api/v1/auth/register').send({ email: 'new@example.com', password: 'some other passphrase', name: 'Mallory' });
      assert.equal(taken.status, 202);
      assert.deepEqual(taken.body, fresh.body);
      const after = await server.store.accounts.findByEmail('new@example.com');
      assert.deepEqual(after, created, 'the taken account is untouched');
    });

    it('mails the owner of a taken address: someone tried to register; sign in or reset; no token', async () => {
      const owner = await createTestAccount(server, { email: 'owner@example.com', password: STRONG });
      const res = await api(server).post('/api/v1/auth/register').send({ email: ' Owner@Example.com', password: 'a different passphrase' });
      assert.equal(res.status, 202);
      const mail = await smtp.waitFor((m) => m.rcptTo.includes('owner@example.com'));
      assert.match(mail.subject, /Someone tried to register with your address/);
      assert.match(mail.text ?? '', /already have an account/);
      assert.match(mail.text ?? '', new RegExp(`${server.url}/account/forgot-password`));
      assert.doesNotMatch(mail.text ?? '', /token=/);
      assert.match(mail.html ?? '', /Someone tried to create an account/);
      const events = await server.store.audit.list({ type: 'registration', subjectId: owner.id }, { limit: 10 });
      assert.deepEqual(events.map((e) => [e.result, e.reason]), [['failure', 'EMAIL_EXISTS']], 'the attempt is audited on the owner');
    });

    it('still refuses a weak password with 400 WEAK_PASSWORD, alike for new and taken addresses', async () => {
      for (const email of ['new@example.com', 'weak-new@example.com']) {
        assertError(await api(server).post('/api/v1/auth/register').send({ email, password: 'password' }), 400, 'WEAK_PASSWORD');
      }
    });

    it('the register page leads to the same "check your mail" page for a new and a taken address', async () => {
      for (const email of ['page-new@example.com', 'owner@example.com']) {
        const session = new PageSession();
        const form = await session.request(`${server.url}/account/register`);
        const posted = await session.submit(form, { email, password: STRONG, name: '' });
        assert.equal(posted.status, 303, posted.body.slice(0, 300));
        assert.match(new URL(posted.location ?? '', server.url).pathname, /^\/account\/register\/sent$/);
        const sent = await session.request(new URL(posted.location!, server.url).href);
        assert.match(sent.body, /Check your mail/);
      }
    });
  });
});
