// /api/v1/admin/roles through a real server: CRUD, the built-in roles, roles
// in use, and what a role's permissions let its holders do.
import assert from 'node:assert/strict';
import { api, assertError, bearer } from '../support/api.ts';
import { signedIn, type SignedIn } from '../support/admin.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ADMIN_PERMISSIONS } from '../../src/storage/ports.ts';

const ROLES = '/api/v1/admin/roles';
let counter = 0;
const roleName = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}`;

describe('admin roles API', function () {
  let server: TestServer;
  let admin: SignedIn;
  before(async () => {
    server = await startTestServer({
      clients: [{
        client_id: 'role-holder', client_secret: 'a-client-secret-long-enough-for-hs256-0123456789', redirect_uris: [],
        response_types: [], grant_types: ['client_credentials'], api_access: true, role: 'held-by-client',
      }],
    });
    admin = await signedIn(server, 'admin');
  });
  after(async () => server?.close());

  const as = (who: { token: string }) => ({
    get: (path: string) => api(server).get(path).set(bearer(who.token)),
    post: (path: string, body?: object) => api(server).post(path).set(bearer(who.token)).send(body),
    patch: (path: string, body: object) => api(server).patch(path).set(bearer(who.token)).send(body),
    delete: (path: string) => api(server).delete(path).set(bearer(who.token)),
  });

  it('lists the built-in roles: user with no permissions, admin with every admin:* permission', async () => {
    const res = await as(admin).get(ROLES);
    assert.equal(res.status, 200);
    const byName = new Map((res.body.items as Array<{ name: string; permissions: string[] }>).map((r) => [r.name, r]));
    assert.deepEqual(byName.get('user')?.permissions, []);
    assert.deepEqual([...byName.get('admin')!.permissions].sort(), [...ADMIN_PERMISSIONS].sort());
  });

  it('creates, changes and deletes a role; ROLE_EXISTS, ROLE_NOT_FOUND', async () => {
    const name = roleName('reports');
    const created = await as(admin).post(ROLES, { name, description: 'Reads reports', permissions: ['reports:read', 'reports:read'] });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { name, description: 'Reads reports', permissions: ['reports:read'] });
    assertError(await as(admin).post(ROLES, { name, permissions: [] }), 409, 'ROLE_EXISTS');
    assert.ok((await as(admin).get(ROLES)).body.items.some((r: { name: string }) => r.name === name));

    const changed = await as(admin).patch(`${ROLES}/${name}`, { permissions: ['reports:read', 'reports:export'] });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.permissions, ['reports:read', 'reports:export']);
    assert.equal(changed.body.description, 'Reads reports');

    assert.equal((await as(admin).delete(`${ROLES}/${name}`)).status, 204);
    assertError(await as(admin).patch(`${ROLES}/${name}`, { description: 'x' }), 404, 'ROLE_NOT_FOUND');
    assertError(await as(admin).delete(`${ROLES}/${name}`), 404, 'ROLE_NOT_FOUND');
  });

  it('refuses to change or delete a built-in role with ROLE_BUILT_IN, and to create one of their names', async () => {
    for (const name of ['user', 'admin']) {
      assertError(await as(admin).patch(`${ROLES}/${name}`, { permissions: [] }), 409, 'ROLE_BUILT_IN');
      assertError(await as(admin).delete(`${ROLES}/${name}`), 409, 'ROLE_BUILT_IN');
      assertError(await as(admin).post(ROLES, { name, permissions: [] }), 409, 'ROLE_EXISTS');
    }
  });

  it('refuses to delete a role an account or a client holds with ROLE_IN_USE', async () => {
    const name = roleName('held');
    await as(admin).post(ROLES, { name, permissions: ['reports:read'] });
    const holder = await signedIn(server, name, 'holder');
    assertError(await as(admin).delete(`${ROLES}/${name}`), 409, 'ROLE_IN_USE');
    await as(admin).patch(`/api/v1/admin/users/${holder.id}`, { role: 'user' });
    assert.equal((await as(admin).delete(`${ROLES}/${name}`)).status, 204);

    await as(admin).post(ROLES, { name: 'held-by-client', permissions: [] });
    assertError(await as(admin).delete(`${ROLES}/held-by-client`), 409, 'ROLE_IN_USE');
  });

  it('validates names and permissions with VALIDATION_FAILED', async () => {
    for (const body of [
      { name: 'Has Caps', permissions: [] },
      { name: 'ok-name', permissions: ['not a permission'] },
      { name: 'ok-name', permissions: ['admin:typo'] },
      { name: 'ok-name' },
      { name: 'ok-name', permissions: [], extra: true },
    ]) {
      assertError(await as(admin).post(ROLES, body), 400, 'VALIDATION_FAILED');
    }
  });

  describe('permissions in use', () => {
    it('GET /admin/roles needs any admin:* permission: 403 FORBIDDEN for user and for a role with none', async () => {
      const plain = await signedIn(server, 'user');
      assertError(await as(plain).get(ROLES), 403, 'FORBIDDEN');
      const reportsOnly = roleName('reports');
      await as(admin).post(ROLES, { name: reportsOnly, permissions: ['reports:read'] });
      assertError(await as(await signedIn(server, reportsOnly, 'reporter')).get(ROLES), 403, 'FORBIDDEN');
      const auditor = roleName('auditor');
      await as(admin).post(ROLES, { name: auditor, permissions: ['admin:audit:read'] });
      const holder = await signedIn(server, auditor, 'auditor');
      assert.equal((await as(holder).get(ROLES)).status, 200);
      assertError(await as(holder).post(ROLES, { name: roleName('x'), permissions: [] }), 403, 'FORBIDDEN');
    });

    it('a role’s permissions changed take effect on its holders’ next request', async () => {
      const name = roleName('support');
      await as(admin).post(ROLES, { name, permissions: ['admin:users:read'] });
      const support = await signedIn(server, name, 'support');
      assert.equal((await as(support).get('/api/v1/admin/users')).status, 200);
      assert.deepEqual((await as(support).get('/api/v1/me')).body.permissions, ['admin:users:read']);
      await as(admin).patch(`${ROLES}/${name}`, { permissions: ['reports:read'] });
      assertError(await as(support).get('/api/v1/admin/users'), 403, 'FORBIDDEN');
    });
  });
});
