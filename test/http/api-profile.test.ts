// PATCH /api/v1/me: name and picture change; read-only or unknown members are
// refused, not ignored; the picture is the OIDC `picture` claim under `profile`.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { api, assertError, bearer, login } from '../support/api.ts';
import { CLIENTS, USER, codeFlow, startFixture, type Fixture } from '../oidc/fixtures.ts';

const PICTURE = 'https://images.example.com/alice.png';

describe('PATCH /api/v1/me: profile and picture', function () {
  let fx: Fixture;
  let access: string;

  before(async () => {
    fx = await startFixture();
    access = (await login(fx.server, { email: USER.email, password: USER.password })).access_token;
  });
  after(() => fx.server.close());

  const patchMe = (body: unknown) => api(fx.server).patch('/api/v1/me').set(bearer(access)).send(body as object);

  it('sets the picture, shows it on /me and in the stored account, and clears it with null', async () => {
    const set = await patchMe({ picture: PICTURE });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.picture, PICTURE);
    assert.equal(set.body.name, USER.name, 'a picture-only patch keeps the name');
    assert.equal((await api(fx.server).get('/api/v1/me').set(bearer(access))).body.picture, PICTURE);
    assert.equal((await fx.server.store.accounts.findById(fx.accountId))?.picture, PICTURE);
    const cleared = await patchMe({ picture: null });
    assert.equal(cleared.body.picture, null);
    assert.equal((await fx.server.store.accounts.findById(fx.accountId))?.picture, null);
  });

  it('changes name and picture together', async () => {
    const res = await patchMe({ name: 'Alice Liddell', picture: PICTURE });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Alice Liddell');
    assert.equal(res.body.picture, PICTURE);
    await patchMe({ name: USER.name });
  });

  it('refuses a picture that is not an https URL with 400 VALIDATION_FAILED naming picture', async () => {
    for (const picture of ['http://images.example.com/a.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 'not a url',
      'https://user:pass@images.example.com/a.png', `https://example.com/${'a'.repeat(2100)}`, 42]) {
      const res = await patchMe({ picture });
      assertError(res, 400, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details.map((d: { path: string }) => d.path), ['picture'], String(picture));
    }
  });

  it('refuses read-only and unknown members with 400 VALIDATION_FAILED naming each, and changes nothing', async () => {
    const before = await fx.server.store.accounts.findById(fx.accountId);
    for (const [field, value] of [['email', 'mallory@example.com'], ['role', 'admin'], ['id', 'x'], ['email_verified', true],
      ['permissions', ['admin:users:write']], ['created_at', '2020-01-01T00:00:00Z'], ['password', 'new password 123'], ['nickname', 'al']] as const) {
      const res = await patchMe({ name: 'Mallory', [field]: value });
      assertError(res, 400, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.details, [{ path: field, message: 'cannot be set here' }], field);
    }
    const after = await fx.server.store.accounts.findById(fx.accountId);
    assert.equal(after?.name, before?.name);
    assert.equal(after?.email, before?.email);
    assert.equal(after?.role, before?.role);
  });

  it('releases the picture as the `picture` claim under the profile scope only', async () => {
    await patchMe({ picture: PICTURE });
    const config = await fx.rp(CLIENTS.web);
    const { tokens } = await codeFlow(config, { scope: 'openid profile' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, fx.accountId);
    assert.deepEqual(info, { sub: fx.accountId, name: USER.name, picture: PICTURE });
    const { tokens: emailOnly } = await codeFlow(config, { scope: 'openid email' });
    const less = await oidc.fetchUserInfo(config, emailOnly.access_token, fx.accountId);
    assert.equal(less.picture, undefined);
    await patchMe({ picture: null });
  });
});
