// Introspection of JWT access tokens (API.md, RFC 7662): active while the
// signature, expiry and session hold, for the token's client or a resource
// server only; never 400 unsupported_token_type.
import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { api, bearer } from '../support/api.ts';
import { ACCESS_TOKEN_ALG } from '../../src/oidc/secrets.ts';
import { CLIENTS, SECRET, USER, codeFlow, startFixture, tokenRequest, type Fixture } from './fixtures.ts';

type Client = { client_id: string; client_secret?: string };

describe('introspection of JWT access tokens', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  async function introspect(client: Client, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const form = new URLSearchParams({ token });
    if (client.client_secret) headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    else form.set('client_id', client.client_id);
    const res = await fetch(`${fx.server.issuer}/token/introspection`, { method: 'POST', headers, body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** A first-party password sign-in: its access token is an API JWT with a session behind it. */
  async function signIn(): Promise<string> {
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return String(res.body.access_token);
  }

  it('answers the token\'s own client with the usual claims, as openid-client reads them', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid api', resource: fx.server.config.apiAudience });
    const jwt = decodeJwt(tokens.access_token);
    const answer = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(answer.active, true);
    assert.equal(answer.sub, fx.accountId);
    assert.equal(answer.client_id, CLIENTS.web.client_id);
    assert.equal(answer.scope, 'api');
    assert.equal(answer.iss, fx.server.issuer);
    assert.equal(answer.aud, fx.server.config.apiAudience);
    assert.equal(answer.token_type, 'Bearer');
    assert.equal(answer.exp, jwt.exp);
    assert.equal(answer.iat, jwt.iat);
    assert.equal(answer.sid, jwt.sid);
    assert.equal(answer.role, 'user');
  });

  it('answers a resource server, and tells any other client {"active": false}', async () => {
    const token = await signIn();
    const asResourceServer = await introspect(CLIENTS.resourceServer, token);
    assert.equal(asResourceServer.status, 200);
    assert.equal(asResourceServer.body.active, true);
    assert.equal(asResourceServer.body.client_id, CLIENTS.firstParty.client_id);
    const asOther = await introspect(CLIENTS.other, token);
    assert.equal(asOther.status, 200);
    assert.deepEqual(asOther.body, { active: false });
  });

  it('refuses public clients, as for opaque tokens', async () => {
    const res = await introspect(CLIENTS.spa, await signIn());
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
  });

  it('is inactive once the session behind the token has ended', async () => {
    const token = await signIn();
    assert.equal((await introspect(CLIENTS.firstParty, token)).body.active, true);
    const loggedOut = await api(fx.server).post('/api/v1/auth/logout').set(bearer(token)).send({});
    assert.ok(loggedOut.status < 300, `logout answered ${loggedOut.status}`);
    assert.deepEqual((await introspect(CLIENTS.firstParty, token)).body, { active: false });
  });

  it('is inactive with a bad signature, and for an ID token', async () => {
    const token = await signIn();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.deepEqual((await introspect(CLIENTS.firstParty, `${header}.${payload}.${flipped}`)).body, { active: false });
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
    assert.deepEqual((await introspect(CLIENTS.firstParty, String(res.body.id_token))).body, { active: false });
  });

  it('is inactive once expired, signed with the server\'s own key', async () => {
    const claims = decodeJwt(await signIn());
    const keys = await fx.server.store.secrets.findByKind('signing-key');
    const key = keys.find((k) => k.material.alg === ACCESS_TOKEN_ALG)!.material;
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ ...claims, iat: past, exp: past + 900 })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'at+jwt', kid: String(key.kid) })
      .sign(await importJWK(key as never, ACCESS_TOKEN_ALG));
    assert.deepEqual((await introspect(CLIENTS.firstParty, expired)).body, { active: false });
    // The same token, not expired, would pass: the expiry is what fails it.
    const fresh = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'at+jwt', kid: String(key.kid) })
      .sign(await importJWK(key as never, ACCESS_TOKEN_ALG));
    assert.equal((await introspect(CLIENTS.firstParty, fresh)).body.active, true);
  });

  it('says a DPoP-bound client_credentials token is DPoP, with its key thumbprint', async () => {
    const config = await fx.rp(CLIENTS.service);
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api', resource: fx.server.config.apiAudience }, { DPoP });
    const res = await introspect({ client_id: CLIENTS.service.client_id, client_secret: SECRET }, tokens.access_token);
    assert.equal(res.body.active, true);
    assert.equal(res.body.sub, CLIENTS.service.client_id);
    assert.equal(res.body.token_type, 'DPoP');
    assert.deepEqual(res.body.cnf, { jkt: (decodeJwt(tokens.access_token).cnf as { jkt: string }).jkt });
  });
});
