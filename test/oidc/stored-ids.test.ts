// What the adapter stores for a bearer record (src/oidc/stored-ids.ts): no
// clear value of its own, nor of the bearer values it references, and the
// payload oidc-provider saved comes back whole from the value its holder
// presents.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashId, openPayload, sealPayload } from '../../src/oidc/stored-ids.ts';

const value = () => randomBytes(32).toString('base64url');

describe('stored ids and payloads of bearer records', function () {
  it('an Interaction keeps no clear interaction id, session cookie, device code or PAR id, and opens whole', function () {
    const [id, cookie, deviceCode, parJti] = [value(), value(), value(), value()];
    const payload = {
      jti: id, kind: 'Interaction', returnTo: `http://127.0.0.1/oidc/auth/${id}`, deviceCode, parJti,
      session: { uid: 'uid-1', accountId: 'acc-1', cookie }, params: { client_id: 'app' },
    };
    const sealed = sealPayload('Interaction', id, payload);
    const text = JSON.stringify(sealed);
    for (const clear of [id, cookie, deviceCode, parJti]) assert.ok(!text.includes(clear), `${clear} stored in clear`);
    assert.equal(sealed.idHash, hashId(id));

    const { session, ...opened } = openPayload('Interaction', id, sealed) as typeof payload;
    const { session: savedSession, ...saved } = payload;
    assert.deepEqual(opened, saved);
    assert.deepEqual(session, { uid: savedSession.uid, accountId: savedSession.accountId }, 'only the cookie copy is gone');
    // Another interaction's id does not open the sealed references.
    assert.throws(() => openPayload('Interaction', value(), sealed));
  });

  it('a refresh token keeps no jti; found by another field it carries a marker, never its hash as a presentable value', function () {
    const id = value();
    const sealed = sealPayload('RefreshToken', id, { jti: id, grantId: 'g', sessionUid: 's' });
    assert.ok(!JSON.stringify(sealed).includes(id));
    assert.deepEqual(openPayload('RefreshToken', id, sealed), { jti: id, grantId: 'g', sessionUid: 's' });
    assert.equal(openPayload('RefreshToken', undefined, sealed).jti, `stored-hash:${hashId(id)}`);
  });
});
