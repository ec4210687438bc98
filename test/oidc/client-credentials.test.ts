import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { CLIENTS, startFixture, type Fixture } from './fixtures.ts';

describe('client_credentials grant', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  it('issues an access token to a confidential client', async () => {
    const config = await fx.rp(CLIENTS.service);
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.expires_in, 900);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  });

  it('issues an RFC 9068 JWT for the API resource, verifiable with the JWKS', async () => {
    const config = await fx.rp(CLIENTS.service);
    const tokens = await oidc.clientCredentialsGrant(config, { resource: fx.server.config.apiAudience, scope: 'api' });
    const jwks = createRemoteJWKSet(new URL(`${fx.server.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: fx.server.issuer,
      audience: fx.server.config.apiAudience,
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.client_id, CLIENTS.service.client_id);
    assert.equal(payload.sub, CLIENTS.service.client_id);
    assert.equal(payload.scope, 'api');
  });

  it('refuses a client that is not allowed the grant', async () => {
    const config = await fx.rp(CLIENTS.web);
    await assert.rejects(oidc.clientCredentialsGrant(config), (err: { error?: string }) => err.error === 'unauthorized_client');
  });

  it('refuses an unknown resource', async () => {
    const config = await fx.rp(CLIENTS.service);
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { resource: 'https://elsewhere.example/api' }),
      (err: { error?: string }) => err.error === 'invalid_target',
    );
  });
});
