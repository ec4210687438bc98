// Who calls the admin API besides signed-in admins: a service client with a
// role (client_credentials), and LAST_ADMIN when admins race each other.
import assert from 'node:assert/strict';
import { api, assertError, bearer } from '../support/api.ts';
import { claimsOf, clientToken, signedIn, uniqueEmail } from '../support/admin.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ADMIN_PERMISSIONS } from '../../src/storage/ports.ts';

const SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';
const service = (client_id: string, extra: Record<string, unknown> = {}) => ({
  client_id, client_secret: SECRET, redirect_uris: [], response_types: [], grant_types: ['client_credentials'], api_access: true, ...extra,
});
const AUTOMATION = service('automation', { role: 'admin' });
const PLAIN = service('plain-service');

describe('admin API callers', function () {
  describe('a client_credentials client with a role', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ clients: [AUTOMATION, PLAIN] });
    });
    after(async () => server?.close());

    it('gets tokens carrying its role and permissions, and automates the admin API with them', async () => {
      const token = await clientToken(server, AUTOMATION);
      const claims = claimsOf(token);
      assert.equal(claims.role, 'admin');
      assert.deepEqual([...(claims.permissions as string[])].sort(), [...ADMIN_PERMISSIONS].sort());
      assert.equal(claims.sid, undefined);

      const email = uniqueEmail('automated');
      const created = await api(server).post('/api/v1/admin/users').set(bearer(token)).send({ email, password: 'a long automated passphrase' });
      assert.equal(created.status, 201);
      const listed = await api(server).get(`/api/v1/admin/users?q=${encodeURIComponent(email)}`).set(bearer(token));
      assert.deepEqual(listed.body.items.map((u: { id: string }) => u.id), [created.body.id]);
      assert.equal((await api(server).patch(`/api/v1/admin/users/${created.body.id}`).set(bearer(token)).send({ disabled: true })).body.disabled, true);
      assert.equal((await api(server).get('/api/v1/admin/roles').set(bearer(token))).status, 200);
    });

    it('acts for no user: user routes refuse its token', async () => {
      assertError(await api(server).get('/api/v1/me').set(bearer(await clientToken(server, AUTOMATION))), 401, 'UNAUTHENTICATED');
    });

    it('a client without a role is refused with 403 FORBIDDEN', async () => {
      const token = await clientToken(server, PLAIN);
      assert.equal(claimsOf(token).role, undefined);
      assertError(await api(server).get('/api/v1/admin/users').set(bearer(token)), 403, 'FORBIDDEN');
    });

    it('the client’s role as stored now counts: taken away, its next request is refused', async () => {
      const token = await clientToken(server, AUTOMATION);
      assert.equal((await api(server).get('/api/v1/admin/users').set(bearer(token))).status, 200);
      const stored = (await server.store.clients.find('automation'))!;
      await server.store.clients.upsert({ clientId: 'automation', metadata: { ...stored.metadata, role: 'user' } });
      assertError(await api(server).get('/api/v1/admin/users').set(bearer(token)), 403, 'FORBIDDEN');
      await server.store.clients.upsert(stored);
      assert.equal((await api(server).get('/api/v1/admin/users').set(bearer(token))).status, 200);
    });
  });

  describe('LAST_ADMIN', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ clients: [AUTOMATION] });
    });
    after(async () => server?.close());

    const patch = (token: string, id: string, body: object) => api(server).patch(`/api/v1/admin/users/${id}`).set(bearer(token)).send(body);

    it('the only admin cannot demote, disable or delete itself', async () => {
      const only = await signedIn(server, 'admin');
      assertError(await patch(only.token, only.id, { role: 'user' }), 409, 'LAST_ADMIN');
      assertError(await patch(only.token, only.id, { disabled: true }), 409, 'LAST_ADMIN');
      assertError(await api(server).delete(`/api/v1/admin/users/${only.id}`).set(bearer(only.token)), 409, 'LAST_ADMIN');
      const me = await api(server).get(`/api/v1/admin/users/${only.id}`).set(bearer(only.token));
      assert.equal(me.body.role, 'admin');
      assert.equal(me.body.disabled, false);
      await api(server).patch(`/api/v1/admin/users/${only.id}`).set(bearer(only.token)).send({ name: 'Still admin' }).expect(200);
    });

    it('a burst taking out both remaining admin accounts (by a client, whose own access no change touches) leaves one', async () => {
      const token = await clientToken(server, AUTOMATION);
      for (let round = 0; round < 4; round++) {
        const before = await server.store.accounts.list({ role: 'admin', status: 'active', now: new Date(), limit: 200 });
        const [a, b] = [await signedIn(server, 'admin', 'a'), await signedIn(server, 'admin', 'b')];
        for (const other of before) await server.store.accounts.update(other.id, { disabled: true });
        const change = (id: string, i: number) => (i % 3 === 2
          ? api(server).delete(`/api/v1/admin/users/${id}`).set(bearer(token))
          : patch(token, id, i % 3 === 0 ? { role: 'user' } : { disabled: true }));
        const targets = [a.id, b.id, a.id, b.id, a.id, b.id];
        const results = await Promise.all(targets.map((id, i) => change(id, i + round)));
        const removed = new Set<string>();
        results.forEach((r, i) => {
          if (r.status < 300) removed.add(targets[i]!);
          else if (r.status !== 404) assertError(r, 409, 'LAST_ADMIN'); // 404: deleted by another move of the burst
        });
        assert.ok(removed.size <= 1, `round ${round}: both admins were taken out`);
        const left = await server.store.accounts.list({ role: 'admin', status: 'active', now: new Date(), limit: 200 });
        assert.equal(left.length, 2 - removed.size, `round ${round}`);
      }
    });

    it('two admins demoting, disabling or deleting each other at once: never both succeed, an admin always remains', async () => {
      for (let round = 0; round < 4; round++) {
        const admins = await server.store.accounts.list({ role: 'admin', status: 'active', now: new Date(), limit: 200 });
        const [a, b] = [await signedIn(server, 'admin', 'a'), await signedIn(server, 'admin', 'b')];
        // Leave exactly these two enabled admins.
        for (const other of admins) await server.store.accounts.update(other.id, { disabled: true });
        // Each move takes one of the two out; [target, request].
        const moves: Array<[string, () => ReturnType<typeof patch>]> = [
          [b.id, () => patch(a.token, b.id, { role: 'user' })],
          [a.id, () => patch(b.token, a.id, round % 2 ? { disabled: true } : { role: 'user' })],
          [a.id, () => api(server).delete(`/api/v1/admin/users/${a.id}`).set(bearer(b.token))],
          [b.id, () => api(server).delete(`/api/v1/admin/users/${b.id}`).set(bearer(a.token))],
        ];
        const results = await Promise.all(moves.map(([, move]) => move()));
        const removed = new Set<string>();
        results.forEach((r, i) => {
          if (r.status < 300) removed.add(moves[i]![0]);
          // Otherwise refused as the last admin, or because the caller had just been demoted, disabled or deleted.
          else assert.ok([409, 403, 401].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
          if (r.status === 409) assert.equal(r.body.error.code, 'LAST_ADMIN');
        });
        assert.ok(removed.size <= 1, `round ${round}: both admins were taken out`);
        const left = await server.store.accounts.list({ role: 'admin', status: 'active', now: new Date(), limit: 200 });
        assert.equal(left.length, 2 - removed.size, `round ${round}`);
      }
    });
  });
});
