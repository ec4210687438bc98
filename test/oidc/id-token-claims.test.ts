import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { CLIENTS, USER, codeFlow, startFixture, type Fixture } from './fixtures.ts';

// Relying-party libraries (Auth.js, express-openid-connect, passport) build
// their user from the ID token alone, so it must carry the granted claims.
describe('ID token claims', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  it('carries the claims of every granted scope and amr', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid email profile role' });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, fx.accountId);
    assert.equal(claims.email, USER.email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, USER.name);
    assert.equal(claims.role, 'user');
    assert.deepEqual(claims.amr, ['pwd']);
  });

  it('carries the picture under the profile scope once the account has one', async () => {
    const picture = 'https://images.example.com/u/42.png';
    await fx.server.store.accounts.update(fx.accountId, { picture });
    try {
      const { tokens } = await codeFlow(await fx.rp(CLIENTS.web), { scope: 'openid profile' });
      assert.equal(tokens.claims()!.picture, picture);
    } finally {
      await fx.server.store.accounts.update(fx.accountId, { picture: null });
    }
  });

  it('carries only the claims of the scopes granted', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid email' });
    const claims = tokens.claims()!;
    assert.equal(claims.email, USER.email);
    assert.equal(claims.name, undefined);
    assert.equal(claims.role, undefined);
    assert.deepEqual(claims.amr, ['pwd']);
  });

  it('carries them in the ID token of a refresh too', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid profile offline_access' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const claims = refreshed.claims()!;
    assert.equal(claims.name, USER.name);
    assert.deepEqual(claims.amr, ['pwd']);
  });
});
