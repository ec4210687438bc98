// RFC 9449 at /api/v1 (API.md, DPoP): a token oidc-provider bound to a key
// (`cnf.jkt`) is accepted only as `Authorization: DPoP` with a fresh proof
// for this method, URL and token, signed by that key, used once. Each attack
// is sent as an attacker holding a stolen token (and maybe a stolen proof) would.
import assert from 'node:assert/strict';
import { randomUUID, createHash } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { authorize, CLIENTS, startFixture, type Fixture } from '../oidc/fixtures.ts';
import { api, assertError, bearer, login } from '../support/api.ts';
import { USER } from '../oidc/fixtures.ts';

interface ProofKey {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function proofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: await exportJWK(publicKey) };
}

/** A DPoP proof JWT (RFC 9449 §4.2); `overrides` forge any claim. */
function proof(key: ProofKey, claims: { htm: string; htu: string; token: string }, overrides: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    htm: claims.htm,
    htu: claims.htu,
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(claims.token).digest('base64url'),
    ...overrides,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}

describe('DPoP-bound access tokens on /api/v1', function () {
  let fx: Fixture;
  let key: ProofKey;
  let token: string;
  let meUrl: string;

  const me = (authorization: string, dpop?: string) => {
    const req = api(fx.server).get('/api/v1/me').set('Authorization', authorization);
    return dpop === undefined ? req : req.set('DPoP', dpop);
  };
  const assertDpopRefused = (res: { status: number; body: unknown; headers: Record<string, string> }) => {
    assertError(res, 401, 'UNAUTHENTICATED');
    assert.match(res.headers['www-authenticate'] ?? '', /^DPoP error="invalid_dpop_proof"/);
  };

  before(async () => {
    fx = await startFixture();
    meUrl = `${fx.server.url}/api/v1/me`;
    // The client side: openid-client binds the code exchange to a DPoP key
    // with its own proof; the API then sees oidc-provider's `cnf.jkt`.
    const { privateKey, publicKey } = await oidc.randomDPoPKeyPair('ES256', { extractable: true });
    key = { privateKey, jwk: await exportJWK(publicKey) };
    const config = await fx.rp(CLIENTS.firstParty);
    const { callback, verifier, state, nonce } = await authorize(config, { scope: 'openid api', resource: fx.server.config.apiAudience });
    const tokens = await oidc.authorizationCodeGrant(
      config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined,
      { DPoP: oidc.getDPoPHandle(config, { privateKey, publicKey }) },
    );
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    token = tokens.access_token;
    assert.equal(typeof (decodeJwt(token).cnf as { jkt?: unknown } | undefined)?.jkt, 'string', 'the token is not DPoP-bound');
  });
  after(async () => fx?.server.close());

  it('accepts the bound token as DPoP with a valid proof (query and fragment of htu ignored)', async () => {
    const res = await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.email, USER.email);
    const withQuery = await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: `${meUrl}?x=1#y`, token }));
    assert.equal(withQuery.status, 200, JSON.stringify(withQuery.body));
  });

  it('refuses the bound token sent as a plain bearer, with or without a proof', async () => {
    assertDpopRefused(await me(`Bearer ${token}`));
    assertDpopRefused(await me(`Bearer ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token })));
  });

  it('refuses the bound token as DPoP without a proof, or with two', async () => {
    assertDpopRefused(await me(`DPoP ${token}`));
    const one = await proof(key, { htm: 'GET', htu: meUrl, token });
    assertDpopRefused(await me(`DPoP ${token}`, `${one}, ${await proof(key, { htm: 'GET', htu: meUrl, token })}`));
  });

  it('refuses a proof made for another method or another URL', async () => {
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'POST', htu: meUrl, token })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: `${fx.server.url}/api/v1/me/sessions`, token })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: 'https://evil.example/api/v1/me', token })));
  });

  it('refuses a replayed proof, and lets exactly one of 100 concurrent uses of one proof through', async () => {
    const used = await proof(key, { htm: 'GET', htu: meUrl, token });
    assert.equal((await me(`DPoP ${token}`, used)).status, 200);
    assertDpopRefused(await me(`DPoP ${token}`, used));

    const fresh = await proof(key, { htm: 'GET', htu: meUrl, token });
    // Prepared first, then fired together.
    const requests = Array.from({ length: 100 }, () => me(`DPoP ${token}`, fresh));
    const answers = await Promise.all(requests.map((req) => req.then((res) => res)));
    assert.equal(answers.filter((res) => res.status === 200).length, 1);
    for (const res of answers.filter((r) => r.status !== 200)) assertDpopRefused(res);
  });

  it('refuses a stale or future iat', async () => {
    const now = Math.floor(Date.now() / 1000);
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token }, { iat: now - 120 })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token }, { iat: now + 120 })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token }, { iat: 'now' })));
  });

  it('refuses a proof signed by another key, for another token (ath), unsigned or of the wrong typ', async () => {
    assertDpopRefused(await me(`DPoP ${token}`, await proof(await proofKey(), { htm: 'GET', htu: meUrl, token })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token: 'another-token' })));
    assertDpopRefused(await me(`DPoP ${token}`, await proof(key, { htm: 'GET', htu: meUrl, token }, { ath: undefined })));
    const wrongTyp = await new SignJWT({ htm: 'GET', htu: meUrl, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: key.jwk }).sign(key.privateKey);
    assertDpopRefused(await me(`DPoP ${token}`, wrongTyp));
    const [header, payload] = (await proof(key, { htm: 'GET', htu: meUrl, token })).split('.');
    assertDpopRefused(await me(`DPoP ${token}`, `${header}.${payload}.`));
  });

  it('still accepts a token that is not bound as a bearer, and not as DPoP', async () => {
    const plain = await login(fx.server, USER);
    assert.equal((await me(`Bearer ${plain.access_token}`)).status, 200);
    const res = await me(`DPoP ${plain.access_token}`, await proof(key, { htm: 'GET', htu: meUrl, token: plain.access_token }));
    assertError(res, 401, 'UNAUTHENTICATED');
    assert.equal((await api(fx.server).get('/api/v1/me').set(bearer(plain.access_token))).status, 200);
  });
});
