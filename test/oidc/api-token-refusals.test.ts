// /api/v1 refusing the tokens clients most often send it by mistake: still
// 401 UNAUTHENTICATED with WWW-Authenticate: Bearer, with a message that says
// what is wrong and what to request instead.
import { strict as assert } from 'node:assert';
import { decodeJwt, importJWK, SignJWT, type JWTPayload } from 'jose';
import { api, assertError, bearer } from '../support/api.ts';
import { ACCESS_TOKEN_ALG } from '../../src/oidc/secrets.ts';
import { CLIENTS, USER, codeFlow, startFixture, tokenRequest, type Fixture } from './fixtures.ts';

describe('/api/v1 refusing tokens of the wrong kind', function () {
  let fx: Fixture;
  let resourceHint: RegExp;
  before(async () => {
    fx = await startFixture();
    resourceHint = new RegExp(`resource=${fx.server.config.apiAudience.replace(/[.]/g, '\\.')} and scope api`);
  });
  after(() => fx.server.close());

  async function refusal(token: string): Promise<string> {
    const res = await api(fx.server).get('/api/v1/me').set(bearer(token));
    assertError(res, 401, 'UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    return res.body.error.message as string;
  }

  /** An at+jwt signed with the server's own access-token key. */
  async function signed(claims: JWTPayload): Promise<string> {
    const keys = await fx.server.store.secrets.findByKind('signing-key');
    const key = keys.find((k) => k.material.alg === ACCESS_TOKEN_ALG)!.material;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'at+jwt', kid: String(key.kid) })
      .sign(await importJWK(key as never, ACCESS_TOKEN_ALG));
  }

  it('names an opaque (userinfo) access token and says to request the API resource', async () => {
    const { tokens } = await codeFlow(await fx.rp(CLIENTS.web), { scope: 'openid' });
    const message = await refusal(tokens.access_token);
    assert.match(message, /opaque/);
    assert.match(message, resourceHint);
  });

  it('names an ID token as not an access token', async () => {
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
    const message = await refusal(String(res.body.id_token));
    assert.match(message, /not an access token.*ID token/);
    assert.match(message, resourceHint);
  });

  it('names a valid access token for another audience', async () => {
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
    const claims = decodeJwt(String(res.body.access_token));
    // The same token for the API passes; only the audience differs.
    assert.equal((await api(fx.server).get('/api/v1/me').set(bearer(await signed(claims)))).status, 200);
    const message = await refusal(await signed({ ...claims, aud: 'https://reports.example.com' }));
    assert.match(message, /another audience/);
    assert.match(message, resourceHint);
  });

  it('still says only "invalid or expired" of an expired API token', async () => {
    const res = await tokenRequest(fx.server, CLIENTS.firstParty, { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' });
    const claims = decodeJwt(String(res.body.access_token));
    const past = Math.floor(Date.now() / 1000) - 3600;
    assert.equal(await refusal(await signed({ ...claims, iat: past, exp: past + 900 })), 'The access token is invalid or expired.');
  });
});
