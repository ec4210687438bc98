// Organizations where they meet accounts: `organization` on registration,
// what deleting an account does to its memberships and organizations, and
// the admin list (API.md, "Organizations" and the admin table).
import assert from 'node:assert/strict';
import { api, assertError } from '../support/api.ts';
import { PASSWORD, signedIn, uniqueEmail, type SignedIn } from '../support/admin.ts';
import { as as calls, auditTypes } from '../support/organizations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ORGS = '/api/v1/organizations';
const ADMIN_ORGS = '/api/v1/admin/organizations';

describe('organizations and accounts', function () {
  let server: TestServer;
  let admin: SignedIn;
  const as = (who: { token: string }) => calls(server, who);

  before(async () => {
    server = await startTestServer();
    admin = await signedIn(server, 'admin');
  });
  after(async () => server?.close());

  /** `owner` owns a new organization, with `others` as members of the given roles. */
  async function organization(owner: SignedIn, name: string, others: Array<[SignedIn, 'owner' | 'admin' | 'member']> = []): Promise<string> {
    const res = await as(owner).post(ORGS, { name });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    for (const [who, role] of others) {
      await server.store.organizations.insertMembership({ organizationId: res.body.id, accountId: who.id, role, joinedAt: new Date() });
    }
    return res.body.id as string;
  }

  describe('POST /auth/register with organization', () => {
    it('creates the organization with the new user as its owner', async () => {
      const email = uniqueEmail('founder');
      const res = await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD, organization: { name: 'Founders Inc' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const mine = await server.store.organizations.listForAccount(res.body.user.id);
      assert.deepEqual(mine.map((m) => [m.organization.name, m.role]), [['Founders Inc', 'owner']]);
      assert.ok((await auditTypes(server, 'organization.created')).some((e) => e.subjectId === res.body.user.id));
    });

    it('creates none without it, and refuses an empty or malformed one with VALIDATION_FAILED', async () => {
      const plain = await api(server).post('/api/v1/auth/register').send({ email: uniqueEmail('plain'), password: PASSWORD });
      assert.equal(plain.status, 201);
      assert.deepEqual(await server.store.organizations.listForAccount(plain.body.user.id), []);
      for (const organization of [{ name: ' ' }, { title: 'x' }, 'Acme']) {
        assertError(await api(server).post('/api/v1/auth/register').send({ email: uniqueEmail('bad'), password: PASSWORD, organization }), 400, 'VALIDATION_FAILED');
      }
    });
  });

  describe('deleting an account', () => {
    it('DELETE /me removes its memberships and deletes the organizations it solely owned', async () => {
      const [leaving, coOwner] = [await signedIn(server, 'user', 'leaving'), await signedIn(server, 'user', 'co-owner')];
      const sole = await organization(leaving, 'Sole', [[coOwner, 'admin']]);
      const shared = await organization(leaving, 'Shared', [[coOwner, 'owner']]);
      const joined = await organization(coOwner, 'Joined', [[leaving, 'member']]);

      assert.equal((await as(leaving).delete('/api/v1/me', { password: PASSWORD })).status, 204);
      assertError(await as(coOwner).get(`${ORGS}/${sole}`), 404, 'ORGANIZATION_NOT_FOUND');
      assert.deepEqual((await as(coOwner).get('/api/v1/me/organizations')).body.map((o: { id: string }) => o.id).sort(), [joined, shared].sort());
      for (const id of [shared, joined]) {
        const members = (await as(coOwner).get(`${ORGS}/${id}/members`)).body as Array<{ user_id: string }>;
        assert.deepEqual(members.map((m) => m.user_id), [coOwner.id]);
      }
      assert.ok((await auditTypes(server, 'organization.deleted')).some((e) => (e.details as { organization_id?: string }).organization_id === sole));
    });

    it('DELETE /admin/users/:id does the same', async () => {
      const [removed, stays] = [await signedIn(server, 'user', 'removed'), await signedIn(server, 'user', 'stays')];
      const sole = await organization(removed, 'Removed Co', [[stays, 'member']]);
      const shared = await organization(stays, 'Stays Co', [[removed, 'owner']]);
      assert.equal((await as(admin).delete(`/api/v1/admin/users/${removed.id}`)).status, 204);
      assert.equal(await server.store.organizations.find(sole), undefined);
      assert.deepEqual((await as(stays).get(`${ORGS}/${shared}/members`)).body.map((m: { user_id: string }) => m.user_id), [stays.id]);
    });
  });

  describe('GET /admin/organizations', () => {
    it('lists organizations newest first with ?q and paging', async () => {
      const owner = await signedIn(server, 'user', 'lister');
      const tag = `Paged-${Date.now()}`;
      const ids = [];
      for (const n of [1, 2, 3]) {
        ids.push(await organization(owner, `${tag} ${n}`));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = await as(admin).get(`${ADMIN_ORGS}?q=${tag.toLowerCase()}&limit=2`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.items.map((o: { id: string }) => o.id), [ids[2], ids[1]]);
      assert.deepEqual(Object.keys(first.body.items[0]).sort(), ['created_at', 'id', 'name', 'updated_at']);
      assert.equal(typeof first.body.next_cursor, 'string');
      const rest = await as(admin).get(`${ADMIN_ORGS}?q=${tag}&limit=2&cursor=${first.body.next_cursor}`);
      assert.deepEqual(rest.body.items.map((o: { id: string }) => o.id), [ids[0]]);
      assert.equal(rest.body.next_cursor, null);
      assertError(await as(admin).get(`${ADMIN_ORGS}?cursor=nonsense`), 400, 'VALIDATION_FAILED');
    });

    it('needs admin:organizations:read: FORBIDDEN for a user', async () => {
      const user = await signedIn(server, 'user', 'plain-user');
      assertError(await as(user).get(ADMIN_ORGS), 403, 'FORBIDDEN');
    });
  });
});
