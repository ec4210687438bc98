// API.md's password policy through the API, as a user (or an attacker
// registering throwaway accounts) sends it: 400 WEAK_PASSWORD with the reason
// in message, and NFKC before hashing and comparing.
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { api, assertError, bearer, login } from '../support/api.ts';

let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

describe('password policy on /api/v1', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { REQUIRE_EMAIL_VERIFICATION: 'false' } });
  });
  after(async () => server?.close());

  const register = (email: string, password: string) => api(server).post('/api/v1/auth/register').send({ email, password });

  const weak: Array<[string, (email: string) => string, RegExp]> = [
    ['a blocklist word with digits appended', () => 'password12345678', /common word/],
    ['a blocklist word with a year appended', () => 'Summer2025', /common word/],
    ['whitespace only', () => '          ', /only spaces/],
    ['one repeated character', () => 'aaaaaaaaaaaaaaaa', /one character repeated/],
    ['the email local part', (email) => email.slice(0, email.indexOf('@')), /email address/],
    ['the service name', () => 'Gatehouse2025', /name of this service/],
  ];
  for (const [name, password, reason] of weak) {
    it(`refuses ${name} with 400 WEAK_PASSWORD and the reason`, async () => {
      const email = uniqueEmail('weak');
      const res = await register(email, password(email));
      assertError(res, 400, 'WEAK_PASSWORD');
      assert.match(res.body.error.message, reason);
    });
  }

  it('verifies a password set in NFC when it is typed in NFD, at sign-in and when changing it', async () => {
    const email = uniqueEmail('nfc');
    const nfc = 'Crème brûlée, s\u2019il vous plaît'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    assert.notEqual(nfc, nfd);
    assert.equal((await register(email, nfc)).status, 201);
    const tokens = await login(server, { email, password: nfd });
    const changed = await api(server).post('/api/v1/me/password').set(bearer(tokens.access_token))
      .send({ current_password: nfd, new_password: 'ﬁfteen ﬂuﬀy owls'.normalize('NFC') });
    assert.equal(changed.status, 204, JSON.stringify(changed.body));
    // The ligatures (ﬁ, ﬂ, ﬀ) are stored as their NFKC letters, so plain typing matches.
    await login(server, { email, password: 'fifteen fluffy owls' });
  });
});

describe('PASSWORD_MIN_LENGTH', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PASSWORD_MIN_LENGTH: '15' } });
  });
  after(async () => server?.close());

  it('refuses a password shorter than the configured floor, naming it', async () => {
    const res = await api(server).post('/api/v1/auth/register').send({ email: uniqueEmail('len'), password: 'quixotic-lamp' });
    assertError(res, 400, 'WEAK_PASSWORD');
    assert.match(res.body.error.message, /at least 15 characters/);
    const ok = await api(server).post('/api/v1/auth/register').send({ email: uniqueEmail('len'), password: 'quixotic-lantern-4821' });
    assert.equal(ok.status, 201);
  });
});
