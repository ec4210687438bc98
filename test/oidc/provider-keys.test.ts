// The one reliance on oidc-provider internals (src/oidc/provider-keys.ts):
// if an upgrade moves or changes lib/helpers/initialize_keystore.js or how the
// Provider reads its Koa `keys`, these fail (the import itself, or the
// behaviour). The full effect on tokens is pinned by test/http/admin-keys.test.ts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Provider } from 'oidc-provider';
import request from 'supertest';
import { replaceProviderKeys } from '../../src/oidc/provider-keys.ts';
import { generateSigningKey } from '../../src/oidc/secrets.ts';

const ISSUER = 'http://127.0.0.1/oidc';
/** A provider with nothing but keys (no storage is touched here; the stub adapter only keeps oidc-provider's start-up warnings quiet). */
class NoStorage {
  async upsert() {}
  async find() { return undefined; }
  async findByUserCode() { return undefined; }
  async findByUid() { return undefined; }
  async consume() {}
  async destroy() {}
  async revokeByGrantId() {}
}
const bare = (signingKeys: Record<string, unknown>[], cookieKeys = ['c1']) =>
  new Provider(ISSUER, {
    jwks: { keys: structuredClone(signingKeys) as never },
    cookies: { keys: cookieKeys },
    adapter: NoStorage as never,
    features: { devInteractions: { enabled: false } },
  });
const publicKids = async (provider: Provider) =>
  ((await request(provider.callback()).get('/jwks').expect(200)).body.keys as Array<Record<string, unknown>>);

describe('replacing oidc-provider keys in a running provider', function () {
  const first = [generateSigningKey('RS256', 'rs-1'), generateSigningKey('ES256', 'es-1')];
  const second = [generateSigningKey('RS256', 'rs-2'), generateSigningKey('ES256', 'es-2')];

  it('publishes the new signing keys at the JWKS endpoint, public parts only', async () => {
    const provider = bare(first);
    assert.deepEqual((await publicKids(provider)).map((k) => k.kid), ['rs-1', 'es-1']);

    replaceProviderKeys(provider, { signingKeys: [...second, ...first], cookieKeys: ['c2', 'c1'] });
    const keys = await publicKids(provider);
    assert.deepEqual(keys.map((k) => k.kid), ['rs-2', 'es-2', 'rs-1', 'es-1']);
    for (const key of keys) assert.ok(!('d' in key), 'private member published');

    replaceProviderKeys(provider, { signingKeys: second, cookieKeys: ['c2'] });
    assert.deepEqual((await publicKids(provider)).map((k) => k.kid), ['rs-2', 'es-2']);
  });

  it('does not keep a reference to the caller\'s keys (it completes what it is given)', () => {
    const provider = bare(first);
    const given = structuredClone(second);
    replaceProviderKeys(provider, { signingKeys: given, cookieKeys: ['c'] });
    assert.deepEqual(given, second);
  });

  it('keeps the old keys when it refuses a new one', async () => {
    const provider = bare(first);
    assert.throws(() => replaceProviderKeys(provider, { signingKeys: [{ kty: 'oct', k: 'x' }], cookieKeys: ['c'] }));
    assert.deepEqual((await publicKids(provider)).map((k) => k.kid), ['rs-1', 'es-1']);
  });

  it('signs the cookies of its own contexts with the newest cookie key', () => {
    const provider = bare(first, ['old-cookie-key']);
    replaceProviderKeys(provider, { signingKeys: first, cookieKeys: ['new-cookie-key', 'old-cookie-key'] });
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    provider.createContext(req, res).cookies.set('probe', 'value', { signed: true });
    const setCookie = ([] as string[]).concat(res.getHeader('set-cookie') as string[]);
    const sig = setCookie.map((c) => /^probe\.sig=([^;]+)/.exec(c)?.[1]).find(Boolean);
    // keygrip: HMAC-SHA1 of "name=value", base64url without padding.
    const expected = createHmac('sha1', 'new-cookie-key').update('probe=value').digest('base64url');
    assert.equal(sig, expected);
  });
});
