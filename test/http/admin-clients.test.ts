// The admin API's clients (API.md "Administration API"): every route with its
// successes and refusals, secrets shown once and stored hashed, rotation with
// an overlap, and deletion revoking what the client holds.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { api, assertError, bearer, login } from '../support/api.ts';
import { clientCredentialsStatus, tokenRequest } from '../support/oauth-client.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';

const PASSWORD = 'correct horse battery staple';
const SECRET = 'a-file-client-secret-long-enough-0123456789';

const FILE_CLIENT = {
  client_id: 'file-service',
  client_secret: SECRET,
  redirect_uris: [],
  response_types: [],
  grant_types: ['client_credentials'],
  resource_server: true,
};

const SERVICE = { redirect_uris: [], response_types: [], grant_types: ['client_credentials'] };

describe('admin API: clients', function () {
  let server: TestServer;
  let admin: string;
  let user: string;

  before(async function () {
    server = await startTestServer({ clients: [FILE_CLIENT] });
    await createTestAccount(server, { email: 'admin@example.com', password: PASSWORD, role: 'admin' });
    await createTestAccount(server, { email: 'user@example.com', password: PASSWORD });
    admin = (await login(server, { email: 'admin@example.com', password: PASSWORD })).access_token;
    user = (await login(server, { email: 'user@example.com', password: PASSWORD })).access_token;
    // The role the service clients below act with: a client's role must name a stored one.
    const role = await api(server).post('/api/v1/admin/roles').set(bearer(admin)).send({ name: 'reporter', permissions: ['reports:read'] });
    assert.equal(role.status, 201, JSON.stringify(role.body));
  });
  after(() => server?.close());

  const create = (body: Record<string, unknown>) => api(server).post('/api/v1/admin/clients').set(bearer(admin)).send(body);

  describe('permissions', () => {
    it('answers 403 FORBIDDEN to an account without the admin role, 401 without a token', async () => {
      assertError(await api(server).get('/api/v1/admin/clients').set(bearer(user)), 403, 'FORBIDDEN');
      assertError(await api(server).post('/api/v1/admin/clients').set(bearer(user)).send(SERVICE), 403, 'FORBIDDEN');
      assertError(await api(server).delete('/api/v1/admin/clients/file-service').set(bearer(user)), 403, 'FORBIDDEN');
      assertError(await api(server).post('/api/v1/admin/clients/file-service/secrets').set(bearer(user)), 403, 'FORBIDDEN');
      assertError(await api(server).get('/api/v1/admin/clients'), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /api/v1/admin/clients', () => {
    it('creates a confidential client whose secret is answered once, works at the token endpoint, and is stored hashed', async () => {
      const res = await create({ client_id: 'svc-created', client_name: 'Created', ...SERVICE, role: 'reporter', api_access: true });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.client_id, 'svc-created');
      assert.equal(res.body.source, 'api');
      assert.equal(res.body.role, 'reporter');
      assert.equal(res.body.api_access, true);
      assert.ok(Date.parse(res.body.created_at) > 0 && Date.parse(res.body.updated_at) > 0);
      const secret = res.body.client_secret as string;
      assert.ok(secret.length >= 43, 'a long random secret');
      assert.equal(await clientCredentialsStatus(server, 'svc-created', secret), 200);
      assert.equal(await clientCredentialsStatus(server, 'svc-created', `${secret}x`), 401);

      const stored = await server.store.clients.find('svc-created');
      assert.match(String(stored?.metadata.client_secret), /^sha256:[0-9a-f]{64}$/);

      const one = await api(server).get('/api/v1/admin/clients/svc-created').set(bearer(admin));
      assert.equal(one.status, 200);
      assert.equal(one.body.client_secret, undefined);
      assert.ok(!JSON.stringify(one.body).includes('sha256:'));
      const list = await api(server).get('/api/v1/admin/clients?limit=200').set(bearer(admin));
      assert.ok(!JSON.stringify(list.body).includes(secret) && !JSON.stringify(list.body).includes('sha256:'));
      assert.ok(list.body.items.some((c: { client_id: string }) => c.client_id === 'svc-created'));
    });

    it('generates a client_id when none is given, and no secret for a public client', async () => {
      const res = await create({ redirect_uris: ['https://spa.example/cb'], token_endpoint_auth_method: 'none' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.client_id, /^[A-Za-z0-9_-]{16,}$/);
      assert.equal(res.body.client_secret, undefined);
      assert.deepEqual(res.body.redirect_uris, ['https://spa.example/cb']);
    });

    it('answers 400 INVALID_CLIENT_METADATA with oidc-provider\'s reason', async () => {
      const res = await create({ redirect_uris: ['https://app.example/cb#fragment'] });
      assertError(res, 400, 'INVALID_CLIENT_METADATA');
      assert.match(res.body.error.message, /fragment/);
      const grant = await create({ ...SERVICE, grant_types: ['no_such_grant'] });
      assertError(grant, 400, 'INVALID_CLIENT_METADATA');
      assert.match(grant.body.error.message, /grant_types/);
    });

    it('answers 404 ROLE_NOT_FOUND for a role no one created, on create and on PATCH', async () => {
      assertError(await create({ client_id: 'svc-no-role', ...SERVICE, role: 'no-such-role' }), 404, 'ROLE_NOT_FOUND');
      assert.equal((await api(server).get('/api/v1/admin/clients/svc-no-role').set(bearer(admin))).status, 404);
      assert.equal((await create({ client_id: 'svc-role-later', ...SERVICE })).status, 201);
      const patched = await api(server).patch('/api/v1/admin/clients/svc-role-later').set(bearer(admin)).send({ role: 'no-such-role' });
      assertError(patched, 404, 'ROLE_NOT_FOUND');
    });

    it('refuses what it would not honour: unknown fields, a chosen secret, require_pkce: false for a public client', async () => {
      const unknown = await create({ ...SERVICE, no_such_field: true });
      assertError(unknown, 400, 'INVALID_CLIENT_METADATA');
      assert.match(unknown.body.error.message, /no_such_field/);
      assertError(await create({ ...SERVICE, client_secret: 'x'.repeat(40) }), 400, 'INVALID_CLIENT_METADATA');
      const publicClient = { redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' };
      assertError(await create({ ...publicClient, require_pkce: false }), 400, 'INVALID_CLIENT_METADATA');
      assertError(await create({ ...SERVICE, first_party: 'yes' }), 400, 'VALIDATION_FAILED');
    });

    it('answers 409 CLIENT_EXISTS for a taken client_id, an API, file or built-in one', async () => {
      assert.equal((await create({ client_id: 'svc-dup', ...SERVICE })).status, 201);
      assertError(await create({ client_id: 'svc-dup', ...SERVICE }), 409, 'CLIENT_EXISTS');
      assertError(await create({ client_id: 'file-service', ...SERVICE }), 409, 'CLIENT_EXISTS');
      assertError(await create({ client_id: 'gatehouse', ...SERVICE }), 409, 'CLIENT_EXISTS');
    });
  });

  describe('GET /api/v1/admin/clients', () => {
    it('pages by client_id with an opaque cursor, next_cursor null at the end', async () => {
      for (const suffix of ['a', 'b', 'c']) assert.equal((await create({ client_id: `zz-page-${suffix}`, ...SERVICE })).status, 201);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = cursor === null ? { limit: 2 } : { limit: 2, cursor };
        const res: { status: number; body: { items: Array<{ client_id: string }>; next_cursor: string | null } } =
          await api(server).get('/api/v1/admin/clients').query(query).set(bearer(admin));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((c) => c.client_id));
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor !== null && pages < 50);
      assert.equal(cursor, null);
      assert.deepEqual(seen, [...seen].sort());
      assert.deepEqual(seen.filter((id) => id.startsWith('zz-page-')), ['zz-page-a', 'zz-page-b', 'zz-page-c']);
      for (const id of ['file-service', 'gatehouse']) assert.ok(seen.includes(id), id);
      const all = await api(server).get('/api/v1/admin/clients').set(bearer(admin));
      const sources = Object.fromEntries(all.body.items.map((c: { client_id: string; source: string; built_in: boolean }) => [c.client_id, [c.source, c.built_in]]));
      assert.deepEqual(sources['file-service'], ['file', false]);
      assert.deepEqual(sources.gatehouse, ['file', true]);
    });

    it('answers 400 VALIDATION_FAILED for a malformed cursor or a limit out of range', async () => {
      for (const query of ['cursor=not-a-cursor!', `cursor=${Buffer.from('{"x":1}').toString('base64url')}`, 'limit=0', 'limit=201', 'limit=ten']) {
        assertError(await api(server).get(`/api/v1/admin/clients?${query}`).set(bearer(admin)), 400, 'VALIDATION_FAILED');
      }
    });

    it('answers 404 CLIENT_NOT_FOUND for an unknown client', async () => {
      assertError(await api(server).get('/api/v1/admin/clients/nobody').set(bearer(admin)), 404, 'CLIENT_NOT_FOUND');
    });
  });

  describe('PATCH /api/v1/admin/clients/:id', () => {
    it('changes the given fields, re-validates the whole, and removes a field set to null', async () => {
      const created = await create({ client_id: 'svc-patch', client_name: 'Before', ...SERVICE, role: 'reporter' });
      const res = await api(server).patch('/api/v1/admin/clients/svc-patch').set(bearer(admin)).send({ client_name: 'After', role: null });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.client_name, 'After');
      assert.equal(res.body.role, undefined);
      assert.deepEqual(res.body.grant_types, ['client_credentials']);
      assert.equal(res.body.client_secret, undefined);
      assert.ok(Date.parse(res.body.updated_at) >= Date.parse(created.body.updated_at));
      assert.equal(await clientCredentialsStatus(server, 'svc-patch', created.body.client_secret), 200, 'the secret is unchanged');

      const bad = await api(server).patch('/api/v1/admin/clients/svc-patch').set(bearer(admin)).send({ redirect_uris: ['https://x.example/#f'] });
      assertError(bad, 400, 'INVALID_CLIENT_METADATA');
      assert.match(bad.body.error.message, /fragment/);
      assertError(await api(server).patch('/api/v1/admin/clients/svc-patch').set(bearer(admin)).send({ client_id: 'other' }), 400, 'INVALID_CLIENT_METADATA');
    });

    it('answers 404 for an unknown client and 409 CLIENT_MANAGED_BY_FILE for file and built-in clients', async () => {
      assertError(await api(server).patch('/api/v1/admin/clients/nobody').set(bearer(admin)).send({ client_name: 'x' }), 404, 'CLIENT_NOT_FOUND');
      assertError(await api(server).patch('/api/v1/admin/clients/file-service').set(bearer(admin)).send({ client_name: 'x' }), 409, 'CLIENT_MANAGED_BY_FILE');
      assertError(await api(server).patch('/api/v1/admin/clients/gatehouse').set(bearer(admin)).send({ client_name: 'x' }), 409, 'CLIENT_MANAGED_BY_FILE');
    });
  });

  describe('DELETE /api/v1/admin/clients/:id', () => {
    it('deletes the client and revokes its grants and tokens', async () => {
      const created = await create({
        client_id: 'app-deleted', ...SERVICE, grant_types: ['password', 'refresh_token', 'client_credentials'], first_party: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const client = { client_id: 'app-deleted', client_secret: created.body.client_secret as string };
      const signedIn = await tokenRequest(server, client, { grant_type: 'password', username: 'user@example.com', password: PASSWORD, scope: 'openid offline_access' });
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      // The refresh token is opaque, so a resource server can introspect it; the access token is an API JWT.
      const active = async (token: string) => {
        const res = await fetch(`${server.issuer}/token/introspection`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`file-service:${SECRET}`).toString('base64')}` },
          body: new URLSearchParams({ token }),
        });
        const body = (await res.json()) as { active: boolean };
        assert.equal(typeof body.active, "boolean", JSON.stringify(body));
        return body.active;
      };
      assert.equal(await active(String(signedIn.body.refresh_token)), true);
      assert.equal((await api(server).get('/api/v1/me').set(bearer(String(signedIn.body.access_token)))).status, 200);

      const res = await api(server).delete('/api/v1/admin/clients/app-deleted').set(bearer(admin));
      assert.equal(res.status, 204);
      assertError(await api(server).get('/api/v1/admin/clients/app-deleted').set(bearer(admin)), 404, 'CLIENT_NOT_FOUND');
      assert.equal(await active(String(signedIn.body.refresh_token)), false);
      assertError(await api(server).get('/api/v1/me').set(bearer(String(signedIn.body.access_token))), 401, 'UNAUTHENTICATED');
      const refreshed = await tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: String(signedIn.body.refresh_token) });
      assert.equal(refreshed.status, 401, 'the client no longer authenticates');
      assert.equal(await clientCredentialsStatus(server, client.client_id, client.client_secret), 401);

      // Recreated under the same id, nothing of the old grants comes back.
      const again = await create({ client_id: 'app-deleted', ...SERVICE, grant_types: ['password', 'refresh_token'], first_party: true });
      const reborn = { client_id: 'app-deleted', client_secret: again.body.client_secret as string };
      const stale = await tokenRequest(server, reborn, { grant_type: 'refresh_token', refresh_token: String(signedIn.body.refresh_token) });
      assert.equal(stale.status, 400);
      assert.equal(stale.body.error, 'invalid_grant');
    });

    it('answers 404 for an unknown client and 409 CLIENT_MANAGED_BY_FILE for file and built-in clients', async () => {
      assertError(await api(server).delete('/api/v1/admin/clients/nobody').set(bearer(admin)), 404, 'CLIENT_NOT_FOUND');
      assertError(await api(server).delete('/api/v1/admin/clients/file-service').set(bearer(admin)), 409, 'CLIENT_MANAGED_BY_FILE');
      assertError(await api(server).delete('/api/v1/admin/clients/gatehouse').set(bearer(admin)), 409, 'CLIENT_MANAGED_BY_FILE');
      assert.equal(await clientCredentialsStatus(server, 'file-service', SECRET), 200);
    });
  });

  describe('POST /api/v1/admin/clients/:id/secrets', () => {
    const rotate = (id: string, body?: Record<string, unknown>) => {
      const req = api(server).post(`/api/v1/admin/clients/${id}/secrets`).set(bearer(admin));
      return body === undefined ? req : req.send(body);
    };

    it('with an overlap: both secrets work until previous_secret_expires_at, then only the new one', async () => {
      const created = await create({ client_id: 'svc-rotate', ...SERVICE });
      const first = created.body.client_secret as string;
      const res = await rotate('svc-rotate', { previous_secret_valid_for: 2 });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const second = res.body.client_secret as string;
      assert.notEqual(second, first);
      const expiresAt = Date.parse(res.body.previous_secret_expires_at);
      assert.ok(expiresAt > Date.now());
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate', second), 200);
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate', first), 200, 'the previous secret still works');

      const stored = await server.store.clients.find('svc-rotate');
      assert.match(String(stored?.previousSecret?.secret), /^sha256:[0-9a-f]{64}$/, 'the previous secret is stored hashed');
      assert.ok(!JSON.stringify((await api(server).get('/api/v1/admin/clients/svc-rotate').set(bearer(admin))).body).includes(second));

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 200));
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate', first), 401, 'the previous secret has expired');
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate', second), 200);
    });

    it('without an overlap (the default): the old secret stops at once, and a second rotation drops an earlier previous one', async () => {
      const created = await create({ client_id: 'svc-rotate-now', ...SERVICE });
      const first = created.body.client_secret as string;
      const overlapping = await rotate('svc-rotate-now', { previous_secret_valid_for: 3600 });
      const res = await rotate('svc-rotate-now');
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.previous_secret_expires_at, null);
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate-now', res.body.client_secret), 200);
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate-now', overlapping.body.client_secret), 401);
      assert.equal(await clientCredentialsStatus(server, 'svc-rotate-now', first), 401);
    });

    it('refuses an overlap over 7 days, a public client, an unknown one, and file or built-in clients', async () => {
      await create({ client_id: 'svc-rotate-bad', ...SERVICE });
      assertError(await rotate('svc-rotate-bad', { previous_secret_valid_for: 7 * 24 * 3600 + 1 }), 400, 'VALIDATION_FAILED');
      assertError(await rotate('svc-rotate-bad', { previous_secret_valid_for: -1 }), 400, 'VALIDATION_FAILED');
      const spa = await create({ redirect_uris: ['https://spa.example/cb'], token_endpoint_auth_method: 'none' });
      assertError(await rotate(spa.body.client_id), 400, 'INVALID_CLIENT_METADATA');
      assertError(await rotate('nobody'), 404, 'CLIENT_NOT_FOUND');
      assertError(await rotate('file-service'), 409, 'CLIENT_MANAGED_BY_FILE');
      assertError(await rotate('gatehouse'), 409, 'CLIENT_MANAGED_BY_FILE');
    });
  });

  describe('generated metadata', () => {
    // Real metadata names with values of every shape: oidc-provider's
    // validation must turn each into a 201 or a 400 in the envelope, never a 500.
    const NAMES = [
      'client_id', 'redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'client_name', 'jwks',
      'id_token_signed_response_alg', 'application_type', 'post_logout_redirect_uris', 'scope', 'contacts', 'logo_uri',
      'default_max_age', 'require_auth_time', 'first_party', 'api_access', 'role', 'backchannel_logout_uri',
      'token_endpoint_auth_signing_alg', 'subject_type', '__proto__', 'constructor',
    ];
    const value = fc.oneof(
      fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', [], {}, 'none', 'client_secret_jwt', 'HS256', 'native', 'code',
        ['https://a.example/cb'], ['http://127.0.0.1:9/cb'], ['client_credentials'], ['password', 'refresh_token'], { $gt: '' },
        'a\u0000b', '\u202Eevil', 'x'.repeat(5000), ['javascript:alert(1)'], { keys: [{ kty: 'oct', k: 'AA' }] }),
      fc.string({ maxLength: 20 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
      fc.integer(),
    );
    const metadata = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 6 });
    const ALLOWED = new Set(['INVALID_CLIENT_METADATA', 'VALIDATION_FAILED', 'CLIENT_EXISTS']);

    const check = (res: { status: number; body: { error?: { code?: string } } }) => {
      if (res.status === 200 || res.status === 201) return;
      // A well-formed role name no one created is the one documented 404.
      if (res.status === 404 && res.body.error?.code === 'ROLE_NOT_FOUND') return;
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(ALLOWED.has(String(res.body.error?.code)), JSON.stringify(res.body));
    };

    it('answers create with 201 or a documented 400, never a 500', async () => {
      await fc.assert(fc.asyncProperty(metadata, async (body) => check(await create(body))), { seed: 20261129, numRuns: 80 });
    });

    it('answers PATCH with 200 or a documented 400, never a 500', async () => {
      assert.equal((await create({ client_id: 'svc-fuzzed', ...SERVICE })).status, 201);
      await fc.assert(fc.asyncProperty(metadata, async (body) => {
        const res = await api(server).patch('/api/v1/admin/clients/svc-fuzzed').set(bearer(admin)).send(body);
        check(res);
      }), { seed: 20261130, numRuns: 60 });
    });
  });
});
