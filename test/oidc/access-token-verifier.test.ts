// The API's access-token check (src/oidc/access-token-verifier.ts), with the
// server's real keys: each rule of RFC 9068 it enforces, and that remembering
// verified tokens never outlives their `exp`.
import assert from 'node:assert/strict';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { createAccessTokenVerifier } from '../../src/oidc/access-token-verifier.ts';
import { ACCESS_TOKEN_ALG, generateSigningKey, type ServerSecrets } from '../../src/oidc/secrets.ts';

const ISSUER = 'https://id.example.com/oidc';
const AUDIENCE = 'https://id.example.com/api';

describe('API access-token verifier', function () {
  const key = generateSigningKey(ACCESS_TOKEN_ALG, 'k1');
  const secrets = { signingKeys: [key], cookieKeys: [] } as unknown as ServerSecrets;
  let clock: number;
  const now = () => clock;

  const sign = async (claims: JWTPayload, typ = 'at+jwt', signingKey = key) => {
    const iat = Math.floor(clock / 1000);
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'account-1', iat, exp: iat + 600, scope: 'api', sid: 'session-1', ...claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ, kid: String(signingKey.kid) })
      .sign(await importJWK(signingKey, ACCESS_TOKEN_ALG));
  };

  beforeEach(function () {
    clock = Date.UTC(2026, 10, 21, 12, 0, 0);
  });

  it('returns the account, session and scope of a valid token', async function () {
    const verify = createAccessTokenVerifier({ secrets, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const { payload, ...claims } = (await verify(await sign({})))!;
    assert.deepEqual(claims, { kind: 'user', accountId: 'account-1', sessionId: 'session-1', scope: ['api'] });
    assert.equal(payload.sid, 'session-1');
  });

  it('returns the client of a client_credentials token (no sid, sub = client_id)', async function () {
    const verify = createAccessTokenVerifier({ secrets, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const { payload, ...claims } = (await verify(await sign({ sid: undefined, sub: 'svc', client_id: 'svc' })))!;
    assert.deepEqual(claims, { kind: 'client', clientId: 'svc', scope: ['api'] });
    assert.equal(payload.sub, 'svc');
  });

  it('refuses another typ, issuer, audience, key, a token without sid or the api scope, and garbage', async function () {
    const verify = createAccessTokenVerifier({ secrets, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const otherKey = generateSigningKey(ACCESS_TOKEN_ALG, 'k1');
    const refused = [
      await sign({}, 'JWT'),
      await sign({ iss: 'https://evil.example' }),
      await sign({ aud: 'https://id.example.com/other' }),
      await sign({}, 'at+jwt', otherKey),
      await sign({ sid: undefined }),
      await sign({ sid: undefined, sub: 'svc', client_id: 'other' }),
      await sign({ scope: 'openid' }),
      'not.a.token',
    ];
    for (const token of refused) assert.equal(await verify(token), undefined, token);
  });

  it('keeps refusing a token once it expires, though it was verified before', async function () {
    const verify = createAccessTokenVerifier({ secrets, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const token = await sign({});
    assert.ok(await verify(token));
    clock += 599_000;
    assert.ok(await verify(token), 'still valid one second before exp');
    clock += 1_000;
    assert.equal(await verify(token), undefined, 'refused at exp');
    assert.equal(await verify(token), undefined, 'and after');
  });

  it('hands out claims no caller can change for the next request', async function () {
    const verify = createAccessTokenVerifier({ secrets, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const token = await sign({});
    const claims = await verify(token);
    assert.throws(() => claims!.scope.push('admin'));
    assert.deepEqual((await verify(token))!.scope, ['api']);
  });
  it('follows a key swap: a new key verifies, and a token already verified with a retired key is refused', async function () {
    const newKey = generateSigningKey(ACCESS_TOKEN_ALG, 'k2');
    let current: ServerSecrets = secrets;
    const verify = createAccessTokenVerifier({ secrets: () => current, issuer: ISSUER, apiAudience: AUDIENCE, now });
    const old = await sign({});
    const fresh = await sign({}, 'at+jwt', newKey);
    assert.ok(await verify(old));
    assert.equal(await verify(fresh), undefined);

    current = { signingKeys: [newKey, key], cookieKeys: [] } as unknown as ServerSecrets;
    assert.ok(await verify(fresh));
    assert.ok(await verify(old));

    current = { signingKeys: [newKey], cookieKeys: [] } as unknown as ServerSecrets;
    assert.equal(await verify(old), undefined);
    assert.ok(await verify(fresh));
  });
});
