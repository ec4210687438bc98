// The DPoP `jti` replay cache (src/http/middleware/dpop-proof.ts) lives in the
// store's rate limiter, so it must hold across instances on one database:
// two servers, each with its own limiter and proof check, on the same store.
// Exactly one request per proof may pass, however the copies are spread.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, calculateJwkThumbprint, SignJWT } from 'jose';
import { createDpopProofCheck, DPOP_REPLAY_RULE, InvalidDpopProofError } from '../../src/http/middleware/dpop-proof.ts';
import { forEachBackend } from './backends.ts';

const PUBLIC_URL = 'https://id.example.test';
const TOKEN = 'an-access-token';

forEachBackend('DPoP jti replay cache', (getStore) => {
  async function setUp() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    // Unique per test: every limiter shares the store's table.
    const rule = { ...DPOP_REPLAY_RULE, keyPrefix: `${DPOP_REPLAY_RULE.keyPrefix}-${randomUUID()}` };
    const instances = [0, 1].map(() => createDpopProofCheck({ publicUrl: PUBLIC_URL, replay: getStore().createRateLimiter(rule) }));
    const proof = (jti = randomUUID()) => new SignJWT({
      htm: 'GET', htu: `${PUBLIC_URL}/api/v1/me`, jti, iat: Math.floor(Date.now() / 1000),
      ath: createHash('sha256').update(TOKEN).digest('base64url'),
    }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);
    const request = (dpop: string) => ({ method: 'GET', path: '/api/v1/me', get: (name: string) => (name === 'dpop' ? dpop : '') });
    return { instances, proof, request, jkt: await calculateJwkThumbprint(jwk) };
  }

  it('accepts a proof once, on whichever instance, and refuses it on the other', async () => {
    const { instances: [a, b], proof, request, jkt } = await setUp();
    const dpop = await proof();
    await a!(request(dpop), TOKEN, jkt);
    await assert.rejects(b!(request(dpop), TOKEN, jkt), InvalidDpopProofError);
    await assert.rejects(a!(request(dpop), TOKEN, jkt), InvalidDpopProofError);
  });

  it('lets exactly one of 100 concurrent uses of one proof through two instances', async () => {
    const { instances, proof, request, jkt } = await setUp();
    const dpop = await proof();
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => instances[i % 2]!(request(dpop), TOKEN, jkt)));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof InvalidDpopProofError, String(o.reason));
  });

  it('keeps different proofs apart, and the same jti under another key', async () => {
    const first = await setUp();
    const jti = randomUUID();
    await first.instances[0]!(first.request(await first.proof(jti)), TOKEN, first.jkt);
    await first.instances[1]!(first.request(await first.proof()), TOKEN, first.jkt);
    const second = await setUp();
    await second.instances[0]!(second.request(await second.proof(jti)), TOKEN, second.jkt);
  });

  it('checks htu against PUBLIC_URL, not the address the request reached', async () => {
    const { instances: [a], request } = await setUp();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const local = await new SignJWT({
      htm: 'GET', htu: 'http://127.0.0.1:3000/api/v1/me', jti: randomUUID(), iat: Math.floor(Date.now() / 1000),
      ath: createHash('sha256').update(TOKEN).digest('base64url'),
    }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);
    await assert.rejects(a!(request(local), TOKEN, await calculateJwkThumbprint(jwk)), /another URL/);
  });
});
