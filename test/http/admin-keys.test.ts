// Live key rotation through /api/v1/admin/keys, in one process: the new keys
// sign at once and are published, tokens signed before keep verifying
// (API and relying party) until their key is retired, and browser sessions
// survive a rotation of the cookie keys.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as oidc from 'openid-client';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { CLIENTS, USER, authorize, codeFlow, startFixture, type Fixture } from '../oidc/fixtures.ts';
import { PageSession } from '../support/page-session.ts';
import { CSRF_COOKIE } from '../../src/pages/csrf.ts';
import { createTestAccount } from '../support/server.ts';
import { api, assertError, bearer, login } from '../support/api.ts';

const ADMIN = { email: 'root@example.com', password: 'an admin passphrase 4 keys' };
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

interface KeyItem {
  kid: string;
  alg: string;
  use: string;
  status: 'active' | 'previous';
  created_at: string;
}

describe('admin keys API', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let admin: string;
  let user: string;

  before(async () => {
    fx = await startFixture();
    await createTestAccount(fx.server, { ...ADMIN, role: 'admin' });
    admin = (await login(fx.server, ADMIN)).access_token;
    user = (await login(fx.server, USER)).access_token;
  });
  after(() => fx?.server.close());

  const listKeys = async (): Promise<KeyItem[]> => {
    const res = await api(fx.server).get('/api/v1/admin/keys').set(bearer(admin));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items as KeyItem[];
  };
  const jwks = async () => (await api(fx.server).get('/oidc/jwks').expect(200)).body as JSONWebKeySet;
  /**
   * Tokens by the password grant through openid-client, which (with
   * non-repudiation checks) verifies the ID token's signature against the
   * published JWKS; a fresh configuration each time, so no cached keys.
   */
  const passwordGrant = async () => {
    const config = await fx.rp(CLIENTS.firstParty);
    oidc.enableNonRepudiationChecks(config);
    return oidc.genericGrantRequest(config, 'password', { username: USER.email, password: USER.password, scope: 'openid api' });
  };
  /** What a relying party or resource server does with an RFC 9068 access token: verify it against the JWKS as published now. */
  const rpAccepts = async (accessToken: string) =>
    jwtVerify(accessToken, createLocalJWKSet(await jwks()), {
      issuer: fx.server.issuer, audience: fx.server.config.apiAudience, typ: 'at+jwt',
    }).then(() => true, () => false);

  it('lists the signing keys without private material, one active per algorithm', async () => {
    const items = await listKeys();
    assert.equal(items.length, 2);
    assert.deepEqual(items.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    for (const item of items) {
      assert.deepEqual(Object.keys(item).sort(), ['alg', 'created_at', 'kid', 'status', 'use']);
      assert.equal(item.status, 'active');
      assert.equal(item.use, 'sig');
    }
  });

  it('refuses a non-admin (403) and no token (401)', async () => {
    assertError(await api(fx.server).get('/api/v1/admin/keys').set(bearer(user)), 403, 'FORBIDDEN');
    assertError(await api(fx.server).post('/api/v1/admin/keys/rotate').set(bearer(user)), 403, 'FORBIDDEN');
    assertError(await api(fx.server).delete('/api/v1/admin/keys/whatever').set(bearer(user)), 403, 'FORBIDDEN');
    assertError(await api(fx.server).get('/api/v1/admin/keys'), 401, 'UNAUTHENTICATED');
  });

  it('rotates with no restart: new kids sign and are published; earlier tokens verify until their key is retired', async () => {
    const before = await passwordGrant();
    const oldAccessKid = kidOf(before.access_token);
    const oldIdKid = kidOf(before.id_token!);

    const rotated = await api(fx.server).post('/api/v1/admin/keys/rotate').set(bearer(admin));
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    const created = rotated.body.items as KeyItem[];
    assert.deepEqual(created.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    assert.ok(created.every((k) => k.status === 'active'));
    assert.ok(!JSON.stringify(rotated.body).includes('"d"'), 'no private member in the answer');
    const newAccessKid = created.find((k) => k.alg === 'ES256')!.kid;
    const newIdKid = created.find((k) => k.alg === 'RS256')!.kid;

    // Published at once, old ones still there.
    const published = (await jwks()).keys.map((k) => k.kid);
    for (const kid of [newAccessKid, newIdKid, oldAccessKid, oldIdKid]) assert.ok(published.includes(kid), `${kid} not in the JWKS`);
    assert.ok((await jwks()).keys.every((k) => !('d' in k)));
    const listed = await listKeys();
    assert.equal(listed.find((k) => k.kid === oldAccessKid)?.status, 'previous');
    assert.equal(listed.find((k) => k.kid === newAccessKid)?.status, 'active');

    // New tokens (password grant, JSON login) are signed by the new keys and verify against the JWKS.
    const after = await passwordGrant();
    assert.equal(kidOf(after.access_token), newAccessKid);
    assert.equal(kidOf(after.id_token!), newIdKid);
    await jwtVerify(after.id_token!, createLocalJWKSet(await jwks()), { issuer: fx.server.issuer });
    const apiLogin = await login(fx.server, USER);
    assert.equal(kidOf(apiLogin.access_token), newAccessKid);
    await api(fx.server).get('/api/v1/me').set(bearer(apiLogin.access_token)).expect(200);
    assert.equal(await rpAccepts(after.access_token), true);

    // Tokens from before the rotation still verify, here and at a relying party.
    await api(fx.server).get('/api/v1/me').set(bearer(before.access_token)).expect(200);
    await api(fx.server).get('/api/v1/me').set(bearer(user)).expect(200);
    assert.equal(await rpAccepts(before.access_token), true);
    await jwtVerify(before.id_token!, createLocalJWKSet(await jwks()), { issuer: fx.server.issuer });

    // The active key cannot be retired; an unknown kid is 404.
    assertError(await api(fx.server).delete(`/api/v1/admin/keys/${newAccessKid}`).set(bearer(admin)), 409, 'KEY_ACTIVE');
    assertError(await api(fx.server).delete('/api/v1/admin/keys/no-such-kid').set(bearer(admin)), 404, 'NOT_FOUND');

    // Retire the old ones: tokens they signed stop verifying everywhere at once
    // (the admin's own token included: it signs in again, under the new key, first).
    const oldAdmin = admin;
    admin = (await login(fx.server, ADMIN)).access_token;
    await api(fx.server).delete(`/api/v1/admin/keys/${oldAccessKid}`).set(bearer(admin)).expect(204);
    await api(fx.server).delete(`/api/v1/admin/keys/${oldIdKid}`).set(bearer(admin)).expect(204);
    assertError(await api(fx.server).delete(`/api/v1/admin/keys/${oldIdKid}`).set(bearer(admin)), 404, 'NOT_FOUND');
    assertError(await api(fx.server).get('/api/v1/me').set(bearer(before.access_token)), 401, 'UNAUTHENTICATED');
    assertError(await api(fx.server).get('/api/v1/me').set(bearer(user)), 401, 'UNAUTHENTICATED');
    assert.equal(await rpAccepts(before.access_token), false);
    const remaining = (await jwks()).keys.map((k) => k.kid).sort();
    assert.deepEqual(remaining, [newAccessKid, newIdKid].sort());
    await assert.rejects(jwtVerify(before.id_token!, createLocalJWKSet(await jwks()), { issuer: fx.server.issuer }));

    // Tokens signed by the new keys are untouched.
    await api(fx.server).get('/api/v1/me').set(bearer(apiLogin.access_token)).expect(200);
    assertError(await api(fx.server).get('/api/v1/admin/keys').set(bearer(oldAdmin)), 401, 'UNAUTHENTICATED');
    user = apiLogin.access_token;
    assert.equal((await listKeys()).length, 2);
  });

  it('keeps browser sessions across a rotation, and drops those whose cookie key is two rotations old', async () => {
    const config = await fx.rp(CLIENTS.web);
    const session = new PageSession();
    await codeFlow(config, {}, session);
    const rotate = () => api(fx.server).post('/api/v1/admin/keys/rotate').set(bearer(admin)).expect(201);

    await rotate();
    // Still signed in: no login page on the way (the cookie, signed with the previous key, verifies).
    const again = await authorize(config, { prompt: 'consent' }, session);
    assert.ok(!again.pages.includes('login'), `pages: ${again.pages.join(',')}`);

    // Two more rotations without a visit: the key its cookie carries is gone (rotate keeps two).
    const stale = new PageSession();
    await codeFlow(config, {}, stale);
    await rotate();
    await rotate();
    const later = await authorize(config, {}, stale);
    assert.equal(later.pages[0], 'login');
  });

  it('signs the pages\' own cookies (CSRF) with the newest cookie key after a rotation', async () => {
    await api(fx.server).post('/api/v1/admin/keys/rotate').set(bearer(admin)).expect(201);
    const [newest] = await fx.server.store.secrets.findByKind('cookie-key');
    const page = new PageSession();
    assert.equal((await page.request(`${fx.server.url}/account/forgot-password`)).status, 200);
    const name = CSRF_COOKIE;
    const value = page.cookie(name);
    assert.ok(value, 'no CSRF cookie set');
    // keygrip: HMAC-SHA1 of "name=value" with the first key, base64url.
    const expected = createHmac('sha1', String(newest!.material.value)).update(`${name}=${value}`).digest('base64url');
    assert.equal(page.cookie(`${name}.sig`), expected);
  });

  it('answers rotation with the same shape as the list, for the CLI', async () => {
    const res = await api(fx.server).post('/api/v1/admin/keys/rotate').set(bearer(admin)).expect(201);
    const listed = await listKeys();
    for (const item of res.body.items as KeyItem[]) assert.deepEqual(listed.find((k) => k.kid === item.kid), item);
  });
});
