import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { CLIENTS, codeFlow, startFixture, tokenRequest, type Fixture } from './fixtures.ts';

describe('refresh, revocation and introspection', function () {
  let fx: Fixture;
  let web: oidc.Configuration;
  before(async () => {
    fx = await startFixture();
    web = await fx.rp(CLIENTS.web);
  });
  after(() => fx.server.close());

  it('rotates the refresh token on every use', async () => {
    const { tokens } = await codeFlow(web);
    const first = await oidc.refreshTokenGrant(web, tokens.refresh_token!);
    assert.ok(first.refresh_token);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    assert.notEqual(first.access_token, tokens.access_token);
    assert.equal(first.claims()!.sub, fx.accountId);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token!);
    assert.notEqual(second.refresh_token, first.refresh_token);
  });

  it('refuses a reused refresh token with invalid_grant and revokes the whole grant', async () => {
    const { tokens } = await codeFlow(web);
    const rotated = await oidc.refreshTokenGrant(web, tokens.refresh_token!);
    const reuse = await tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    // The legitimate holder's newer token and access token die with the grant.
    const after = await tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token! });
    assert.equal(after.body.error, 'invalid_grant');
    const introspected = await oidc.tokenIntrospection(web, rotated.access_token);
    assert.equal(introspected.active, false);
  });

  it('lets exactly one of two concurrent uses of a refresh token win', async () => {
    const { tokens } = await codeFlow(web);
    const attempts = await Promise.all(
      [1, 2].map(() => tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })),
    );
    assert.deepEqual(attempts.map((a) => a.status).sort(), [200, 400]);
    // The loser is a replay, as if sent later: the grant dies, the winner's new token with it.
    const winner = attempts.find((a) => a.status === 200)!;
    const next = await tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: String(winner.body.refresh_token) });
    assert.equal(next.body.error, 'invalid_grant');
  });

  it('introspects an active access token with its subject, client and scope', async () => {
    const { tokens } = await codeFlow(web);
    const info = await oidc.tokenIntrospection(web, tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.sub, fx.accountId);
    assert.equal(info.client_id, CLIENTS.web.client_id);
    assert.match(String(info.scope), /openid/);
    const garbage = await oidc.tokenIntrospection(web, 'not-a-token');
    assert.equal(garbage.active, false);
  });

  it('revokes a refresh token so it can no longer be used', async () => {
    const { tokens } = await codeFlow(web);
    await oidc.tokenRevocation(web, tokens.refresh_token!);
    const res = await tokenRequest(fx.server, CLIENTS.web, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(res.body.error, 'invalid_grant');
    const introspected = await oidc.tokenIntrospection(web, tokens.refresh_token!);
    assert.equal(introspected.active, false);
  });

  it('revokes an access token so introspection reports it inactive', async () => {
    const { tokens } = await codeFlow(web);
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, true);
    await oidc.tokenRevocation(web, tokens.access_token);
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, false);
  });

  it('refuses introspection to public clients, even of their own tokens', async () => {
    const { tokens } = await codeFlow(await fx.rp(CLIENTS.spa));
    const res = await fetch(`${fx.server.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENTS.spa.client_id, token: tokens.access_token }),
    });
    const body = (await res.json()) as { error?: string };
    assert.ok(res.status >= 400, `status ${res.status}`);
    assert.ok(body.error === 'unauthorized_client' || body.error === 'invalid_client', body.error);
  });

  it('lets a public client complete the code flow and refresh with PKCE', async () => {
    const spa = await fx.rp(CLIENTS.spa);
    const { tokens } = await codeFlow(spa);
    assert.equal(tokens.claims()!.sub, fx.accountId);
    const refreshed = await oidc.refreshTokenGrant(spa, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
  });
});
