// The account console's Organizations section over plain HTTP, as a browser
// without JavaScript: the invitation mail's link signs in and joins on
// confirmation; the list shows each organization with the role; create and leave.
import assert from 'node:assert/strict';
import { signInToConsole } from '../support/console-session.ts';
import { login } from '../support/api.ts';
import { as } from '../support/organizations.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const PASSWORD = 'correct horse battery staple';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field');
let counter = 0;
const email = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

describe('account console: organizations', function () {
  this.timeout(120_000);
  let server: TestServer;
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  const post = (session: PageSession, page: PageResponse, path: string, form: Record<string, string> = {}) =>
    session.request(`${server.url}${path}`, { form: { _csrf: csrfOf(page.body), ...form } });

  it('the invitation link signs the invited person in, shows the offer, and joins on confirmation', async () => {
    const ownerEmail = email('page-owner');
    await createTestAccount(server, { email: ownerEmail, password: PASSWORD });
    const owner = { token: (await login(server, { email: ownerEmail, password: PASSWORD })).access_token };
    const org = await as(server, owner).post('/api/v1/organizations', { name: 'Page <Org> & Co' });
    const inviteeEmail = email('page-invitee');
    await createTestAccount(server, { email: inviteeEmail, password: PASSWORD });
    assert.equal((await as(server, owner).post(`/api/v1/organizations/${org.body.id}/invitations`, { email: inviteeEmail, role: 'admin' })).status, 201);
    const mail = await smtp.waitFor((m) => m.to.includes(inviteeEmail));
    const link = new URL(/https?:\/\/\S+\/account\/organizations\/accept\?token=[\w-]+/.exec(mail.text ?? '')?.[0] ?? assert.fail('no link'));

    const session = new PageSession();
    const offer = await signInToConsole(session, server.url, `${link.pathname}${link.search}`, { email: inviteeEmail, password: PASSWORD });
    assert.equal(offer.status, 200, offer.body.slice(0, 300));
    assert.match(offer.body, /You are invited to join <strong>Page &lt;Org&gt; &amp; Co<\/strong> as <strong>admin<\/strong>/);

    const joined = await post(session, offer, '/account/organizations/accept', { token: link.searchParams.get('token')! });
    assert.equal(joined.status, 303);
    const list = await session.follow(`${server.url}${joined.headers.get('location')}`);
    assert.match(list.body, /You joined the organization/);
    assert.match(list.body, /<h2 class="item-title">Page &lt;Org&gt; &amp; Co<\/h2>[\s\S]*?<dt>Your role<\/dt><dd>admin<\/dd>/);

    const again = await session.request(`${server.url}${link.pathname}${link.search}`);
    assert.equal(again.status, 400);
    assert.match(again.body, /invalid, already used or expired/);
  });

  it('a signed-in person whose address is not the invited one is told so, and does not join', async () => {
    const ownerEmail = email('page-owner2');
    await createTestAccount(server, { email: ownerEmail, password: PASSWORD });
    const owner = { token: (await login(server, { email: ownerEmail, password: PASSWORD })).access_token };
    const org = await as(server, owner).post('/api/v1/organizations', { name: 'Elsewhere' });
    const invited = email('page-invited');
    await as(server, owner).post(`/api/v1/organizations/${org.body.id}/invitations`, { email: invited, role: 'member' });
    const link = new URL(/https?:\/\/\S+\/account\/organizations\/accept\?token=[\w-]+/.exec((await smtp.waitFor((m) => m.to.includes(invited))).text ?? '')![0]);

    const otherEmail = email('page-other');
    await createTestAccount(server, { email: otherEmail, password: PASSWORD });
    const session = new PageSession();
    const offer = await signInToConsole(session, server.url, `${link.pathname}${link.search}`, { email: otherEmail, password: PASSWORD });
    const refused = await post(session, offer, '/account/organizations/accept', { token: link.searchParams.get('token')! });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /role="alert">This invitation is for another address/);
    const list = await session.request(`${server.url}/account/organizations`);
    assert.match(list.body, /You are not a member of any organization/);
  });

  it('creates an organization, lists it with the owner role, refuses to let the last owner leave, and leaves one joined', async () => {
    const mine = email('page-creator');
    await createTestAccount(server, { email: mine, password: PASSWORD });
    const session = new PageSession();
    const page = await signInToConsole(session, server.url, '/account/organizations', { email: mine, password: PASSWORD });
    assert.match(page.body, /href="\/account\/organizations"[^>]*>Organizations/);

    const empty = await post(session, page, '/account/organizations', { name: '  ' });
    assert.equal(empty.status, 400);
    const created = await post(session, page, '/account/organizations', { name: 'Made Here' });
    assert.equal(created.status, 303);
    const list = await session.follow(`${server.url}${created.headers.get('location')}`);
    assert.match(list.body, /<h2 class="item-title">Made Here<\/h2>[\s\S]*?<dd>owner<\/dd>/);

    const leavePath = /action="(\/account\/organizations\/[^"]+\/leave)"/.exec(list.body)?.[1] ?? assert.fail('no leave form');
    const lastOwner = await post(session, list, leavePath);
    assert.equal(lastOwner.headers.get('location'), '/account/organizations?done=org-last-owner');

    const id = /\/account\/organizations\/([^/]+)\/leave/.exec(leavePath)![1]!;
    const accountId = (await server.store.accounts.findByEmail(mine))!.id;
    const coOwner = await createTestAccount(server, { email: email('page-co'), password: PASSWORD });
    await server.store.organizations.insertMembership({ organizationId: id, accountId: coOwner.id, role: 'owner', joinedAt: new Date() });
    const left = await post(session, list, leavePath);
    assert.equal(left.headers.get('location'), '/account/organizations?done=org-left');
    assert.equal(await server.store.organizations.findMembership(id, accountId), undefined);
  });

  it('keeps the section behind sign-in', async () => {
    const res = await new PageSession().request(`${server.url}/account/organizations`);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /\/console\/login\?return=/);
  });
});
