// GET /api/v1/admin/audit-events and GET /api/v1/me/events over HTTP, the
// audit of admin routes in the router, and a failing audit write that must
// not fail the request it describes.
import assert from 'node:assert/strict';
import type { Store } from '../../src/storage/ports.ts';
import { api, assertError, bearer, login } from '../support/api.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { openTestStore } from '../support/test-store.ts';

const PASSWORD = 'correct horse battery staple';
const EVENTS = '/api/v1/admin/audit-events';

interface Page {
  items: Array<{ id: string; at: string; type: string; result: string; subject_id: string | null; actor: { type: string; id: string | null }; reason: string | null }>;
  next_cursor: string | null;
}

describe('audit event routes', function () {
  let server: TestServer;
  const ids: Record<'admin' | 'ann' | 'bob', string> = { admin: '', ann: '', bob: '' };
  const tokens: Record<'admin' | 'ann' | 'bob', string> = { admin: '', ann: '', bob: '' };

  before(async () => {
    server = await startTestServer();
    for (const name of ['admin', 'ann', 'bob'] as const) {
      const email = `${name}@example.com`;
      ids[name] = (await createTestAccount(server, { email, password: PASSWORD, role: name === 'admin' ? 'admin' : 'user' })).id;
      tokens[name] = (await login(server, { email, password: PASSWORD })).access_token;
    }
    // Some history for ann: two failed sign-ins, then a password change.
    for (const guess of ['wrong guess one', 'wrong guess two']) {
      await api(server).post('/api/v1/auth/login').send({ email: 'ann@example.com', password: guess });
    }
  });
  after(async () => server?.close());

  const get = (path: string, token?: string) => api(server).get(path).set(token ? bearer(token) : {});
  const adminGet = async (query: Record<string, string | number>) => {
    const res = await get(EVENTS, tokens.admin).query(query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Page;
  };

  describe('GET /api/v1/admin/audit-events', () => {
    it('filters by subject, type, result, actor and time, newest first', async () => {
      const ann = await adminGet({ subject_id: ids.ann });
      assert.deepEqual(ann.items.map((e) => [e.type, e.result]), [
        ['sign_in', 'failure'], ['sign_in', 'failure'], ['sign_in', 'success'],
      ]);
      assert.ok(ann.items.every((e) => e.subject_id === ids.ann));
      const ats = ann.items.map((e) => e.at);
      assert.deepEqual([...ats].sort().reverse(), ats);

      assert.equal((await adminGet({ subject_id: ids.ann, result: 'success' })).items.length, 1);
      assert.equal((await adminGet({ subject_id: ids.ann, type: 'sign_out' })).items.length, 0);
      assert.ok((await adminGet({ actor_id: ids.bob })).items.every((e) => e.actor.id === ids.bob));
      assert.equal((await adminGet({ subject_id: ids.ann, client_id: 'gatehouse' })).items.length, 3);
      const newest = ann.items[0]!.at;
      assert.equal((await adminGet({ subject_id: ids.ann, since: newest })).items.length, 1);
      assert.equal((await adminGet({ subject_id: ids.ann, until: ann.items[2]!.at })).items.length, 1);
      assert.equal((await adminGet({ subject_id: ids.ann, since: '2000-01-01T00:00:00+02:00', until: '2000-01-02T00:00:00Z' })).items.length, 0);
    });

    it('pages with an opaque cursor: every event once, next_cursor null at the end', async () => {
      const all = await adminGet({ limit: 200 });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await adminGet({ limit: 2, ...(cursor && { cursor }) });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      // The first page starts with the audit event of the unpaged listing above (newer than all it saw).
      assert.ok(all.items.length < 200);
      assert.deepEqual(seen.slice(1), all.items.map((e) => e.id));
    });

    it('answers 400 VALIDATION_FAILED for a bad date, limit, result or cursor', async () => {
      for (const query of [
        { since: 'yesterday' }, { until: '2024-13-01T00:00:00Z' }, { limit: 0 }, { limit: 201 }, { result: 'maybe' },
        { cursor: 'not a cursor!' }, { cursor: Buffer.from('{"at":"x","id":"y"}').toString('base64url') }, { cursor: 'e30' },
      ]) {
        assertError(await get(EVENTS, tokens.admin).query(query), 400, 'VALIDATION_FAILED');
      }
    });

    it('audits every call: success, 403 for a user, 401 without a token, 400, each with its actor', async () => {
      const since = new Date().toISOString();
      await adminGet({ limit: 1 });
      assertError(await get(EVENTS, tokens.bob), 403, 'FORBIDDEN');
      assertError(await get(EVENTS), 401, 'UNAUTHENTICATED');
      assertError(await get(EVENTS, tokens.admin).query({ limit: 0 }), 400, 'VALIDATION_FAILED');
      const calls = (await server.store.audit.list({ type: 'admin.listAuditEvents', since: new Date(since) }, { limit: 10 })).reverse();
      assert.deepEqual(calls.map((e) => [e.result, e.reason, e.actorType, e.actorId]), [
        ['success', null, 'user', ids.admin],
        ['failure', 'FORBIDDEN', 'user', ids.bob],
        ['failure', 'UNAUTHENTICATED', 'anonymous', null],
        ['failure', 'VALIDATION_FAILED', 'user', ids.admin],
      ]);
      assert.deepEqual(calls[0]!.details, { method: 'GET', route: EVENTS });
    });
  });

  describe('GET /api/v1/me/events', () => {
    it("lists only the caller's own events, newest first, in pages", async () => {
      const res = await get('/api/v1/me/events', tokens.ann);
      assert.equal(res.status, 200);
      const page = res.body as Page;
      assert.equal(page.next_cursor, null);
      assert.ok(page.items.length >= 3);
      assert.ok(page.items.every((e) => e.subject_id === ids.ann));
      assert.deepEqual(page.items.slice(0, 2).map((e) => e.reason), ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);

      const bob = (await get('/api/v1/me/events', tokens.bob)).body as Page;
      assert.ok(bob.items.length > 0);
      assert.ok(bob.items.every((e) => e.subject_id === ids.bob));
      assert.ok(!bob.items.some((e) => page.items.some((mine) => mine.id === e.id)));

      const first = (await get('/api/v1/me/events?limit=1', tokens.ann)).body as Page;
      assert.equal(first.items[0]!.id, page.items[0]!.id);
      const second = (await get(`/api/v1/me/events?limit=1&cursor=${first.next_cursor}`, tokens.ann)).body as Page;
      assert.equal(second.items[0]!.id, page.items[1]!.id);
    });

    it('answers 401 without a token and 400 for a bad limit or cursor', async () => {
      assertError(await get('/api/v1/me/events'), 401, 'UNAUTHENTICATED');
      assertError(await get('/api/v1/me/events?limit=500', tokens.ann), 400, 'VALIDATION_FAILED');
      assertError(await get('/api/v1/me/events?cursor=%%%', tokens.ann), 400, 'VALIDATION_FAILED');
    });
  });
});

describe('a failing audit write', function () {
  let server: TestServer;
  let store: Store;
  let attempts = 0;

  before(async () => {
    store = await openTestStore();
    // The real store, with only its audit insert failing, as a database refusing that one table would.
    const failing: Store = {
      ...store,
      audit: {
        ...store.audit,
        insert: async () => {
          attempts += 1;
          throw new Error('audit_events is unwritable');
        },
      },
    };
    server = await startTestServer({ store: failing });
  });
  after(async () => {
    await server?.close();
  });

  it('does not fail the requests it would describe', async () => {
    await createTestAccount(server, { email: 'admin@example.com', password: PASSWORD, role: 'admin' });
    assertError(await api(server).post('/api/v1/auth/login').send({ email: 'admin@example.com', password: 'a wrong password' }), 401, 'INVALID_CREDENTIALS');
    const tokens = await login(server, { email: 'admin@example.com', password: PASSWORD });
    const listed = await api(server).get(EVENTS).set(bearer(tokens.access_token));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, { items: [], next_cursor: null });
    const registered = await api(server).post('/api/v1/auth/register').send({ email: 'new@example.com', password: PASSWORD });
    assert.equal(registered.status, 201);
    assert.equal((await api(server).post('/api/v1/auth/logout').set(bearer(tokens.access_token)).send({})).status, 204);
    assert.ok(attempts >= 5, `every event was attempted (${attempts})`);
  });
});
