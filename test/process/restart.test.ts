// The real process on an embedded database (PGlite under DATA_DIR): SIGTERM
// shuts it down cleanly and quickly, and a restart on the same DATA_DIR keeps
// the signing keys and every token issued before it (API.md: "a restart keeps
// every session and token valid").
import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnServer, tempDir, type SpawnedServer } from '../support/spawn-server.ts';

const CLIENT = {
  client_id: 'gatehouse-app',
  client_secret: 'restart-test-secret-0123456789abcdef0123456789',
  grant_types: ['password', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  first_party: true,
};
const ADMIN = { email: 'root@example.com', password: 'correct horse battery staple' };
const BASIC = `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`;
/** SIGTERM to exit: the shutdown must not wait on keep-alives or timers. */
const SHUTDOWN_BUDGET_MS = 5_000;

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  id_token: string;
  token_type: string;
}

async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const passwordGrant = (server: SpawnedServer) =>
  postForm(`${server.url}/oidc/token`, {
    grant_type: 'password', username: ADMIN.email, password: ADMIN.password, scope: 'openid offline_access',
  });

type Jwk = JsonWebKey & { kid: string; alg: string };

async function fetchJwks(server: SpawnedServer): Promise<Jwk[]> {
  const discovery = (await (await fetch(`${server.url}/oidc/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Jwk[] };
  // The JWKS must only ever publish public keys.
  for (const key of jwks.keys) assert.equal(key.d, undefined, `private key material published for ${key.kid}`);
  return jwks.keys;
}

const kidsOf = (keys: Jwk[]) => keys.map((k) => k.kid).sort();

/** Verify an RS256/ES256 JWT against a JWKS, as a resource server would; returns its payload. */
function verifyJwt(jwt: string, keys: Jwk[]): Record<string, unknown> {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
  const jwk = keys.find((k) => k.kid === kid) ?? assert.fail(`kid ${kid} is not in the JWKS`);
  assert.equal(jwk.alg, alg);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const valid = verify('sha256', Buffer.from(`${header}.${payload}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(signature, 'base64url'));
  assert.ok(valid, `${alg} signature does not verify with ${kid}`);
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

describe('the gatehouse process', function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  let server: SpawnedServer | undefined;

  before(async () => {
    dir = await tempDir('gatehouse-restart-');
    const clientsFile = join(dir.path, 'clients.json');
    await writeFile(clientsFile, JSON.stringify([CLIENT]));
    env = { CLIENTS_FILE: clientsFile, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  });
  afterEach(async () => {
    // A failed test must not leave a server behind.
    if (server) await server.stop('SIGKILL');
    server = undefined;
  });
  after(async () => dir?.remove());

  it('keeps keys and tokens across a SIGTERM and a restart on the same DATA_DIR', async function () {
    server = await spawnServer({ dataDir: join(dir.path, 'data'), env });
    const port = server.port;

    const issued = await passwordGrant(server);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const tokens = issued.body as unknown as TokenResponse;
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.refresh_token, 'no refresh token');
    const jwksBefore = await fetchJwks(server);
    assert.deepEqual(jwksBefore.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const claims = verifyJwt(tokens.access_token, jwksBefore);
    verifyJwt(tokens.id_token, jwksBefore);

    const stopped = await server.stop('SIGTERM');
    server = undefined;
    assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null });
    assert.ok(stopped.ms < SHUTDOWN_BUDGET_MS, `shutdown took ${Math.round(stopped.ms)} ms`);

    server = await spawnServer({ dataDir: join(dir.path, 'data'), env, port });
    const jwksAfter = await fetchJwks(server);
    assert.deepEqual(kidsOf(jwksAfter), kidsOf(jwksBefore));
    assert.deepEqual(jwksAfter, jwksBefore);

    // The access token is a JWT (RFC 9068), which oidc-provider does not
    // introspect (unsupported_token_type); a resource server verifies it with
    // the JWKS, and the restarted server publishes the key that signed it.
    assert.deepEqual(verifyJwt(tokens.access_token, jwksAfter), claims);
    assert.ok(Number(claims.exp) > Date.now() / 1000, 'access token already expired');

    // The refresh token is opaque and lives in the store: still active for its client.
    const introspected = await postForm(`${server.url}/oidc/token/introspection`, { token: tokens.refresh_token });
    assert.equal(introspected.status, 200, JSON.stringify(introspected.body));
    assert.equal(introspected.body.active, true, JSON.stringify(introspected.body));
    assert.equal(introspected.body.client_id, CLIENT.client_id);
    assert.equal(introspected.body.sub, claims.sub);

    const refreshed = await postForm(`${server.url}/oidc/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const renewed = refreshed.body as unknown as TokenResponse;
    assert.ok(renewed.refresh_token);
    assert.notEqual(renewed.refresh_token, tokens.refresh_token);
    assert.notEqual(renewed.access_token, tokens.access_token);
    // Same subject and session, signed with the keys from before the restart.
    const renewedClaims = verifyJwt(renewed.access_token, jwksBefore);
    assert.equal(renewedClaims.sub, claims.sub);
    assert.equal(renewedClaims.sid, claims.sid);

    // The admin was created once: the restart did not trip over it, and it still signs in.
    assert.equal((await passwordGrant(server)).status, 200);
  });

  it('lets an in-flight request finish on SIGTERM and refuses new connections', async function () {
    server = await spawnServer({ dataDir: join(dir.path, 'data'), env });
    const body = new URLSearchParams({
      grant_type: 'password', username: ADMIN.email, password: ADMIN.password, scope: 'openid offline_access',
    }).toString();
    const cut = Math.floor(body.length / 2);

    // Send the headers and half the body, so the request is in flight when the signal arrives.
    const req = httpRequest(`${server.url}/oidc/token`, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: BASIC,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
    });
    req.write(body.slice(0, cut));
    // Let the server receive the headers and start handling the request.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const stopping = server.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(server.child.exitCode, null, 'the process exited with a request in flight');
    // No new connections once shutting down.
    await assert.rejects(fetch(`${server.url}/health`), (err: Error & { cause?: { code?: string } }) => {
      assert.equal(err.cause?.code, 'ECONNREFUSED');
      return true;
    });

    req.end(body.slice(cut));
    const res = await response;
    assert.equal(res.status, 200, res.text);
    assert.ok((JSON.parse(res.text) as TokenResponse).access_token);

    const stopped = await stopping;
    server = undefined;
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < SHUTDOWN_BUDGET_MS, `shutdown took ${Math.round(stopped.ms)} ms`);
  });
});
