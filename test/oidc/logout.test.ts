import { strict as assert } from 'node:assert';
import * as oidc from 'openid-client';
import { CLIENTS, codeFlow, startFixture, type Fixture } from './fixtures.ts';
import { PageSession } from '../support/page-session.ts';

describe('RP-initiated logout', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.server.close());

  it('confirms, ends the browser session and returns to the registered post-logout URI', async () => {
    const config = await fx.rp(CLIENTS.web);
    const session = new PageSession();
    const { tokens } = await codeFlow(config, {}, session);
    const postLogout = CLIENTS.web.post_logout_redirect_uris[0];
    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogout, state: 'bye' });

    const confirm = await session.follow(endUrl.href);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /Sign out\?/);
    const done = await session.submit(confirm, { logout: 'yes' });
    const back = done.location?.startsWith(postLogout) ? done : await session.follow(done.location!, (l) => l.startsWith(postLogout));
    const landing = new URL(back.location!);
    assert.equal(landing.origin + landing.pathname, postLogout);
    assert.equal(landing.searchParams.get('state'), 'bye');

    // Signed out: the next authorization asks for the password again.
    const again = await codeFlow(config, { prompt: '' }, session);
    assert.equal(again.pages[0], 'login');
  });

  it('refuses a post_logout_redirect_uri the client did not register', async () => {
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config);
    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' });
    const res = await new PageSession().request(endUrl.href);
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.body, /evil\.example/);
    assert.doesNotMatch(res.body, /\n\s+at /, 'no stack trace');
  });
});
