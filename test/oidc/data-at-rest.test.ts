// "A database dump yields no usable token" (API.md, "Data at rest"): after a
// code flow and a refresh, every value stored in the OAuth tables is tried as
// an attacker holding the dump would: as a refresh token at the token
// endpoint, as an access token at userinfo, as a client secret. None works,
// and the clear token, cookie and secret values appear nowhere in the rows.
// The same values, presented by their holders, still work.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { createPgliteDriver } from '../../src/storage/sql/pglite-driver.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import { PageSession } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { CLIENTS, SECRET, USER, codeFlow, tokenRequest } from './fixtures.ts';

const ENCRYPTION_KEY = 'test-encryption-key-0123456789abcdefghijklmnop';
const JWT_CLIENT = {
  client_id: 'jwt-client',
  client_secret: 'jwt-client-hmac-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  token_endpoint_auth_method: 'client_secret_jwt',
  token_endpoint_auth_signing_alg: 'HS256',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
};

interface Dump {
  oidc: Array<{ model: string; id: string; payload: unknown }>;
  clients: Array<{ client_id: string; metadata: Record<string, unknown> }>;
  secrets: Array<{ id: string; material: Record<string, unknown> }>;
}

async function dump(driver: SqlDriver): Promise<Dump> {
  return {
    oidc: (await driver.query<Dump['oidc'][number]>('select model, id, payload from oidc_payloads')).rows,
    clients: (await driver.query<Dump['clients'][number]>('select client_id, metadata from clients')).rows,
    secrets: (await driver.query<Dump['secrets'][number]>('select id, material from secrets')).rows,
  };
}

/** Every string in a value, recursively (ids, payload fields, nested claims). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

const userinfo = (server: TestServer, token: string) =>
  fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('data at rest: a database dump yields no usable token', function () {
  this.timeout(120_000);
  let driver: SqlDriver;
  let server: TestServer;

  before(async () => {
    driver = await createPgliteDriver();
    const store = await openSqlStore(driver);
    server = await startTestServer({ store, clients: [CLIENTS.web, CLIENTS.service, JWT_CLIENT], env: { ENCRYPTION_KEY } });
    await createTestAccount(server, { ...USER, emailVerified: true });
  });
  after(() => server?.close());

  it('no stored value works as a refresh token, access token or client secret, and no clear value is stored', async () => {
    const config = await oidc.discovery(new URL(server.issuer), CLIENTS.web.client_id, undefined, oidc.ClientSecretBasic(SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
    const session = new PageSession();
    const { tokens: first } = await codeFlow(config, { scope: 'openid email offline_access' }, session);
    const refreshed = await tokenRequest(server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: first.refresh_token! });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const refreshToken = String(refreshed.body.refresh_token);
    const accessToken = String(refreshed.body.access_token);
    const sessionCookie = session.cookie('_session');
    assert.ok(sessionCookie, 'the browser holds a session cookie');

    const rows = await dump(driver);
    assert.ok(rows.oidc.some((r) => r.model === 'RefreshToken') && rows.oidc.some((r) => r.model === 'Session'));
    const text = JSON.stringify(rows);
    for (const [name, value] of Object.entries({
      refreshToken, accessToken, firstRefreshToken: first.refresh_token!, firstAccessToken: first.access_token,
      sessionCookie, clientSecret: SECRET, jwtClientSecret: JWT_CLIENT.client_secret,
    })) {
      assert.ok(!text.includes(value), `the ${name} is stored in clear`);
    }
    // Private keys and cookie keys are stored encrypted only.
    for (const secret of rows.secrets) assert.deepEqual(Object.keys(secret.material), ['sealed'], `secret ${secret.id} is stored in clear`);

    // Every stored string an attacker could try as a token (ids, payload values).
    const candidates = [...new Set(strings(rows.oidc))].filter((s) => s.length >= 16);
    assert.ok(candidates.length > 10, `only ${candidates.length} stored values to try`);
    const tried = await Promise.all(candidates.map(async (value) => ({
      value,
      refresh: (await tokenRequest(server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: value })).status,
      userinfo: await userinfo(server, value),
    })));
    for (const t of tried) {
      assert.notEqual(t.refresh, 200, `stored value ${t.value} refreshed`);
      assert.notEqual(t.userinfo, 200, `stored value ${t.value} opened userinfo`);
    }
    // Stored client secrets do not authenticate their clients either.
    for (const client of rows.clients.filter((c) => typeof c.metadata.client_secret === 'string')) {
      const status = (await tokenRequest(server, { client_id: client.client_id, client_secret: String(client.metadata.client_secret) }, {
        grant_type: 'client_credentials',
      })).status;
      assert.equal(status, 401, `the stored secret of ${client.client_id} authenticated it`);
    }

    // The holders' own values still work: the test can tell a working token.
    assert.equal(await userinfo(server, accessToken), 200);
    const again = await tokenRequest(server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: refreshToken });
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  it('client secrets are compared by hash; a client_secret_jwt client signs with its recoverable secret', async () => {
    const ok = await tokenRequest(server, CLIENTS.service, { grant_type: 'client_credentials' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const wrong = await tokenRequest(server, { client_id: CLIENTS.service.client_id, client_secret: `${SECRET}x` }, { grant_type: 'client_credentials' });
    assert.equal(wrong.status, 401);

    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(JWT_CLIENT.client_id).setSubject(JWT_CLIENT.client_id)
      .setAudience(server.issuer).setJti(randomUUID()).setIssuedAt().setExpirationTime('1m')
      .sign(new TextEncoder().encode(JWT_CLIENT.client_secret));
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials', client_id: JWT_CLIENT.client_id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
      }),
    });
    assert.equal(res.status, 200, await res.text());
    const stored = (await dump(driver)).clients.find((c) => c.client_id === JWT_CLIENT.client_id)!;
    assert.match(String(stored.metadata.client_secret), /^enc:v1\./);
  });

  it('the browser session survives on its hashed id: the cookie signs the user in again without a login page', async () => {
    const config = await oidc.discovery(new URL(server.issuer), CLIENTS.web.client_id, undefined, oidc.ClientSecretBasic(SECRET), {
      execute: [oidc.allowInsecureRequests],
    });
    const session = new PageSession();
    await codeFlow(config, {}, session);
    const { pages } = await codeFlow(config, { prompt: '' }, session);
    assert.deepEqual(pages, [], 'the stored session was found from the cookie value');
  });
});
