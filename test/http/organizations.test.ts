// API.md "Organizations" through a real server: every route, who may call
// it, and each failure it names.
import assert from 'node:assert/strict';
import { assertError } from '../support/api.ts';
import { signedIn, type SignedIn } from '../support/admin.ts';
import { as as calls, auditTypes, invitationToken } from '../support/organizations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const ORGS = '/api/v1/organizations';

describe('organizations API', function () {
  let server: TestServer;
  let smtp: SmtpCapture;
  let owner: SignedIn;
  let adminMember: SignedIn;
  let member: SignedIn;
  let stranger: SignedIn;
  let orgId: string;

  const as = (who: { token: string }) => calls(server, who);

  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    owner = await signedIn(server, 'user', 'owner');
    adminMember = await signedIn(server, 'user', 'org-admin');
    member = await signedIn(server, 'user', 'member');
    stranger = await signedIn(server, 'user', 'stranger');
    const created = await as(owner).post(ORGS, { name: '  Acme Research ' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    orgId = created.body.id;
    for (const [who, role] of [[adminMember, 'admin'], [member, 'member']] as const) {
      await server.store.organizations.insertMembership({ organizationId: orgId, accountId: who.id, role, joinedAt: new Date() });
    }
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  describe('POST /organizations and GET /me/organizations', () => {
    it('creates an organization with the caller as owner, listed with the role', async () => {
      const created = await as(stranger).post(ORGS, { name: 'Stranger Things' });
      assert.equal(created.status, 201);
      assert.deepEqual(Object.keys(created.body).sort(), ['created_at', 'id', 'name', 'updated_at']);
      const mine = await as(stranger).get('/api/v1/me/organizations');
      assert.equal(mine.status, 200);
      assert.deepEqual(mine.body, [{ id: created.body.id, name: 'Stranger Things', role: 'owner' }]);
      assert.ok((await auditTypes(server, 'organization.created')).some((e) => e.subjectId === stranger.id));
    });

    it('trims the name, and lists each of the caller\'s organizations with its role', async () => {
      const mine = await as(adminMember).get('/api/v1/me/organizations');
      assert.deepEqual(mine.body, [{ id: orgId, name: 'Acme Research', role: 'admin' }]);
    });

    it('refuses an unverified user with FORBIDDEN and an empty name with VALIDATION_FAILED', async () => {
      const unverified = await signedIn(server, 'user', 'unverified');
      await server.store.accounts.update(unverified.id, { emailVerified: false });
      assertError(await as(unverified).post(ORGS, { name: 'Nope' }), 403, 'FORBIDDEN');
      assertError(await as(owner).post(ORGS, { name: '   ' }), 400, 'VALIDATION_FAILED');
      assertError(await as(owner).post(ORGS, { name: 'x', extra: 1 }), 400, 'VALIDATION_FAILED');
    });

    it('needs a bearer token', async () => {
      assertError(await as({ token: 'nope' }).get('/api/v1/me/organizations'), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET and PATCH /organizations/:id', () => {
    it('answers a member, and ORGANIZATION_NOT_FOUND to a non-member as for an unknown id', async () => {
      const got = await as(member).get(`${ORGS}/${orgId}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.name, 'Acme Research');
      assertError(await as(stranger).get(`${ORGS}/${orgId}`), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await as(owner).get(`${ORGS}/${crypto.randomUUID()}`), 404, 'ORGANIZATION_NOT_FOUND');
    });

    it('lets owners and admins rename it; FORBIDDEN for a member, ORGANIZATION_NOT_FOUND for a stranger', async () => {
      const renamed = await as(adminMember).patch(`${ORGS}/${orgId}`, { name: 'Acme Labs' });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.name, 'Acme Labs');
      assert.equal((await as(owner).patch(`${ORGS}/${orgId}`, { name: 'Acme Research' })).body.name, 'Acme Research');
      assertError(await as(member).patch(`${ORGS}/${orgId}`, { name: 'Mine now' }), 403, 'FORBIDDEN');
      assertError(await as(stranger).patch(`${ORGS}/${orgId}`, { name: 'Mine now' }), 404, 'ORGANIZATION_NOT_FOUND');
      assert.ok((await auditTypes(server, 'organization.updated')).length >= 2);
    });
  });

  describe('members', () => {
    it('lists members to members only, with address, name, role and joined_at', async () => {
      const res = await as(member).get(`${ORGS}/${orgId}/members`);
      assert.equal(res.status, 200);
      const byId = new Map((res.body as Array<Record<string, unknown>>).map((m) => [m.user_id, m]));
      assert.deepEqual(Object.keys(byId.get(owner.id)!).sort(), ['email', 'joined_at', 'name', 'role', 'user_id']);
      assert.equal(byId.get(owner.id)!.role, 'owner');
      assert.equal(byId.get(owner.id)!.email, owner.email);
      assert.equal(byId.get(adminMember.id)!.role, 'admin');
      assertError(await as(stranger).get(`${ORGS}/${orgId}/members`), 404, 'ORGANIZATION_NOT_FOUND');
    });

    it('changes roles: owners and admins only; only an owner grants or takes the owner role', async () => {
      const path = `${ORGS}/${orgId}/members/${member.id}`;
      const changed = await as(adminMember).patch(path, { role: 'admin' });
      assert.equal(changed.status, 200);
      assert.deepEqual({ user_id: changed.body.user_id, role: changed.body.role, email: changed.body.email }, { user_id: member.id, role: 'admin', email: member.email });
      assert.equal((await as(owner).patch(path, { role: 'member' })).body.role, 'member');
      assertError(await as(member).patch(`${ORGS}/${orgId}/members/${adminMember.id}`, { role: 'member' }), 403, 'FORBIDDEN');
      assertError(await as(adminMember).patch(path, { role: 'owner' }), 403, 'FORBIDDEN');
      assertError(await as(adminMember).patch(`${ORGS}/${orgId}/members/${owner.id}`, { role: 'member' }), 403, 'FORBIDDEN');
      assertError(await as(owner).patch(`${ORGS}/${orgId}/members/${stranger.id}`, { role: 'member' }), 404, 'MEMBER_NOT_FOUND');
      assertError(await as(owner).patch(path, { role: 'boss' }), 400, 'VALIDATION_FAILED');
      const events = await auditTypes(server, 'member.role_changed');
      assert.ok(events.some((e) => e.subjectId === member.id && (e.details as { to?: string }).to === 'admin'));
    });

    it('refuses to demote or remove the last owner with LAST_OWNER', async () => {
      assertError(await as(owner).patch(`${ORGS}/${orgId}/members/${owner.id}`, { role: 'admin' }), 409, 'LAST_OWNER');
      assertError(await as(owner).delete(`${ORGS}/${orgId}/members/${owner.id}`), 409, 'LAST_OWNER');
      assert.equal((await as(owner).get(`${ORGS}/${orgId}`)).status, 200);
    });

    it('removes members (owners and admins), lets a member leave; FORBIDDEN for a member removing another', async () => {
      const extra = await signedIn(server, 'user', 'extra');
      const leaver = await signedIn(server, 'user', 'leaver');
      for (const who of [extra, leaver]) {
        await server.store.organizations.insertMembership({ organizationId: orgId, accountId: who.id, role: 'member', joinedAt: new Date() });
      }
      assertError(await as(member).delete(`${ORGS}/${orgId}/members/${extra.id}`), 403, 'FORBIDDEN');
      assertError(await as(adminMember).delete(`${ORGS}/${orgId}/members/${owner.id}`), 403, 'FORBIDDEN');
      assert.equal((await as(adminMember).delete(`${ORGS}/${orgId}/members/${extra.id}`)).status, 204);
      assertError(await as(extra).get(`${ORGS}/${orgId}`), 404, 'ORGANIZATION_NOT_FOUND');
      assert.equal((await as(leaver).delete(`${ORGS}/${orgId}/members/${leaver.id}`)).status, 204);
      assert.deepEqual((await as(leaver).get('/api/v1/me/organizations')).body, []);
      assertError(await as(owner).delete(`${ORGS}/${orgId}/members/${leaver.id}`), 404, 'MEMBER_NOT_FOUND');
      assert.ok((await auditTypes(server, 'member.removed')).some((e) => e.subjectId === leaver.id));
    });
  });

  describe('invitations', () => {
    const invitations = () => `${ORGS}/${orgId}/invitations`;

    it('invites by mail with a single-use link; the invited user accepts and joins with the role', async () => {
      const invitee = await signedIn(server, 'user', 'invitee');
      const created = await as(adminMember).post(invitations(), { email: invitee.email.toUpperCase(), role: 'admin' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(
        { email: created.body.email, role: created.body.role, organization_id: created.body.organization_id, invited_by: created.body.invited_by },
        { email: invitee.email, role: 'admin', organization_id: orgId, invited_by: adminMember.id },
      );
      assert.ok(Date.parse(created.body.expires_at) - Date.now() > 6.9 * 24 * 3600_000);
      const mail = await smtp.waitFor((m) => m.to.includes(invitee.email));
      assert.match(mail.subject, /Acme Research/);
      assert.match(mail.html ?? '', /organizations\/accept\?token=/);
      const token = invitationToken(mail);
      assert.ok(!JSON.stringify(created.body).includes(token));

      const listed = await as(owner).get(invitations());
      assert.equal(listed.status, 200);
      assert.ok(listed.body.some((i: { id: string }) => i.id === created.body.id));

      const accepted = await as(invitee).post('/api/v1/invitations/accept', { token });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.role, 'admin');
      assert.equal(accepted.body.organization.id, orgId);
      assert.deepEqual((await as(invitee).get('/api/v1/me/organizations')).body.map((o: { role: string }) => o.role), ['admin']);
      assertError(await as(invitee).post('/api/v1/invitations/accept', { token }), 400, 'INVALID_TOKEN');
      assert.ok(!(await as(owner).get(invitations())).body.some((i: { id: string }) => i.id === created.body.id));
      for (const type of ['invitation.created', 'invitation.accepted']) assert.ok((await auditTypes(server, type)).length > 0, type);
    });

    it('refuses a member\'s address with ALREADY_MEMBER, and members who are not owners or admins with FORBIDDEN', async () => {
      assertError(await as(owner).post(invitations(), { email: member.email, role: 'member' }), 409, 'ALREADY_MEMBER');
      assertError(await as(member).post(invitations(), { email: 'someone@example.com', role: 'member' }), 403, 'FORBIDDEN');
      assertError(await as(member).get(invitations()), 403, 'FORBIDDEN');
      assertError(await as(adminMember).post(invitations(), { email: 'boss@example.com', role: 'owner' }), 403, 'FORBIDDEN');
      assertError(await as(stranger).post(invitations(), { email: 'someone@example.com', role: 'member' }), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await as(owner).post(invitations(), { email: 'not-an-address', role: 'member' }), 400, 'VALIDATION_FAILED');
    });

    it('voids the older invitation when the same address is invited again', async () => {
      const invitee = await signedIn(server, 'user', 'twice');
      await as(owner).post(invitations(), { email: invitee.email, role: 'member' });
      const first = invitationToken(await smtp.waitFor((m) => m.to.includes(invitee.email)));
      const before = smtp.messages.length;
      await as(owner).post(invitations(), { email: invitee.email, role: 'admin' });
      const second = invitationToken(await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && m.to.includes(invitee.email)));
      assert.notEqual(first, second);
      assertError(await as(invitee).post('/api/v1/invitations/accept', { token: first }), 400, 'INVALID_TOKEN');
      assert.equal((await as(invitee).post('/api/v1/invitations/accept', { token: second })).body.role, 'admin');
    });

    it('refuses a user whose verified address is not the invited one with FORBIDDEN, leaving the link usable', async () => {
      const invitee = await signedIn(server, 'user', 'right');
      const other = await signedIn(server, 'user', 'wrong');
      await as(owner).post(invitations(), { email: invitee.email, role: 'member' });
      const token = invitationToken(await smtp.waitFor((m) => m.to.includes(invitee.email)));
      assertError(await as(other).post('/api/v1/invitations/accept', { token }), 403, 'FORBIDDEN');
      await server.store.accounts.update(invitee.id, { emailVerified: false });
      assertError(await as(invitee).post('/api/v1/invitations/accept', { token }), 403, 'FORBIDDEN');
      await server.store.accounts.update(invitee.id, { emailVerified: true });
      assert.equal((await as(invitee).post('/api/v1/invitations/accept', { token })).status, 200);
      assertError(await as(invitee).post('/api/v1/invitations/accept', { token: 'not-a-token' }), 400, 'INVALID_TOKEN');
    });

    it('revokes an invitation (owners and admins): its link stops working', async () => {
      const invitee = await signedIn(server, 'user', 'revoked');
      const created = await as(owner).post(invitations(), { email: invitee.email, role: 'member' });
      const token = invitationToken(await smtp.waitFor((m) => m.to.includes(invitee.email)));
      assertError(await as(member).delete(`${invitations()}/${created.body.id}`), 403, 'FORBIDDEN');
      assert.equal((await as(adminMember).delete(`${invitations()}/${created.body.id}`)).status, 204);
      assertError(await as(adminMember).delete(`${invitations()}/${created.body.id}`), 404, 'INVITATION_NOT_FOUND');
      assertError(await as(invitee).post('/api/v1/invitations/accept', { token }), 400, 'INVALID_TOKEN');
      assert.ok((await auditTypes(server, 'invitation.revoked')).length > 0);
    });
  });

  describe('DELETE /organizations/:id', () => {
    it('lets only an owner delete it: FORBIDDEN for an admin, then gone for everyone', async () => {
      const created = await as(owner).post(ORGS, { name: 'Short-lived' });
      const id = created.body.id as string;
      await server.store.organizations.insertMembership({ organizationId: id, accountId: adminMember.id, role: 'admin', joinedAt: new Date() });
      assertError(await as(adminMember).delete(`${ORGS}/${id}`), 403, 'FORBIDDEN');
      assertError(await as(stranger).delete(`${ORGS}/${id}`), 404, 'ORGANIZATION_NOT_FOUND');
      assert.equal((await as(owner).delete(`${ORGS}/${id}`)).status, 204);
      assertError(await as(owner).get(`${ORGS}/${id}`), 404, 'ORGANIZATION_NOT_FOUND');
      assertError(await as(adminMember).get(`${ORGS}/${id}/members`), 404, 'ORGANIZATION_NOT_FOUND');
      assert.ok((await auditTypes(server, 'organization.deleted')).length > 0);
    });
  });
});
