// Nobody can lock the owner out: failures count per (account, source), where
// the source is a device the account signed in from before (a browser's device
// cookie, an API client's known IP and device name) or else the IP, and an
// account-wide ceiling bounds guessing across unrecognised sources only.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { fireTogether, statusCounts } from '../support/burst.ts';

const PASSWORD = 'correct horse battery staple';
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const PER_PAIR = 5;
const CEILING = 12;
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;
type Agent = ReturnType<typeof request.agent>;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? assert.fail('no _csrf field');

describe('sign-in lockout per (account, source)', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: {
        TRUST_PROXY_HOPS: '1',
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(PER_PAIR),
        RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: String(CEILING),
        RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100000',
        PASSWORD_HASH_QUEUE: '10000',
      },
      clients: [{
        client_id: 'web', client_secret: randomBytes(32).toString('hex'), client_name: 'Web',
        redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
  });
  after(async () => server?.close());

  const apiLogin = (email: string, password: string, ip: string, deviceName?: string) => request(server.url)
    .post('/api/v1/auth/login')
    .set({ 'x-forwarded-for': ip, ...(deviceName && { 'x-device-name': deviceName }) })
    .send({ email, password });

  /** A barrier-synchronised burst of wrong passwords from each of `ips`. */
  async function attack(email: string, ips: string[], perIp: number): Promise<Record<number, number>> {
    const responses = await fireTogether(ips.flatMap((ip) => Array.from({ length: perIp }, (_, i) => ({
      url: `${server.url}/api/v1/auth/login`, headers: { 'x-forwarded-for': ip }, json: { email, password: `wrong guess ${ip} ${i}` },
    }))));
    return statusCounts(responses);
  }

  it('locks the attacker\'s IP for the account, never the owner on another IP', async () => {
    const email = uniqueEmail('stranger');
    await createTestAccount(server, { email, password: PASSWORD });
    const counts = await attack(email, ['203.0.113.1'], 100);
    assert.equal(counts[401], PER_PAIR, JSON.stringify(counts));
    const attackerWithRightPassword = await apiLogin(email, PASSWORD, '203.0.113.1');
    assert.equal(attackerWithRightPassword.status, 429);
    assert.ok(Number(attackerWithRightPassword.headers['retry-after']) >= 1);
    assert.equal((await apiLogin(email, PASSWORD, '198.51.100.7')).status, 200);
  });

  it('keeps a known API device (same IP and device name as a live session) in, past the account-wide ceiling and a lock of its IP', async () => {
    const email = uniqueEmail('api-device');
    await createTestAccount(server, { email, password: PASSWORD });
    assert.equal((await apiLogin(email, PASSWORD, '198.51.100.8', 'Ann\'s phone')).status, 200);
    // Strangers everywhere, the owner's own network included: pairs lock, then the ceiling.
    const counts = await attack(email, ['203.0.113.2', '203.0.113.3', '203.0.113.4', '198.51.100.8'], 40);
    assert.ok((counts[401] ?? 0) <= CEILING, JSON.stringify(counts));
    assert.equal((await apiLogin(email, PASSWORD, '192.0.2.99')).status, 429, 'a new source is past the ceiling');
    assert.equal((await apiLogin(email, PASSWORD, '198.51.100.8')).status, 429, 'the IP without the device is locked');
    assert.equal((await apiLogin(email, PASSWORD, '198.51.100.8', 'Ann\'s phone')).status, 200, 'the known device gets in');
  });

  /** Start an authorization request from `ip`; the interaction page's path and HTML. */
  async function begin(agent: Agent, ip: string): Promise<{ path: string; html: string }> {
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const auth = await agent.get('/oidc/auth').set('x-forwarded-for', ip).query({
      client_id: 'web', response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid',
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    assert.equal(auth.status, 303);
    const page = await agent.get(auth.headers.location!).set('x-forwarded-for', ip).expect(200);
    return { path: auth.headers.location!, html: page.text };
  }

  async function pageLogin(agent: Agent, ip: string, email: string, password: string) {
    const { path, html } = await begin(agent, ip);
    return agent.post(path).set('x-forwarded-for', ip).type('form').send({ _csrf: csrfOf(html), prompt: 'login', email, password });
  }

  it('keeps the owner\'s browser (device cookie from an earlier sign-in) in through the login page, while a browser without it is locked', async () => {
    const email = uniqueEmail('browser');
    await createTestAccount(server, { email, password: PASSWORD });
    const owner = request.agent(server.url);
    const first = await pageLogin(owner, '198.51.100.9', email, PASSWORD);
    assert.equal(first.status, 303);
    const cookies = ([] as string[]).concat(first.headers['set-cookie'] ?? []);
    assert.ok(cookies.some((c) => /^gatehouse\.device=.*httponly/i.test(c)), 'sets an HttpOnly device cookie');

    const counts = await attack(email, ['203.0.113.5', '203.0.113.6', '203.0.113.7', '198.51.100.9'], 40);
    assert.ok((counts[401] ?? 0) <= CEILING, JSON.stringify(counts));
    const stranger = await pageLogin(request.agent(server.url), '198.51.100.9', email, PASSWORD);
    assert.equal(stranger.status, 429, 'a browser without the cookie, even on the owner\'s network, is locked');
    assert.match(stranger.text, /Too many failed sign-ins/);
    const again = await pageLogin(owner, '198.51.100.9', email, PASSWORD);
    assert.equal(again.status, 303, 'the owner\'s browser gets in');
  });

  it('does not take a device cookie issued for another account, or a forged one', async () => {
    const [ann, bob] = [uniqueEmail('ann'), uniqueEmail('bob')];
    await createTestAccount(server, { email: ann, password: PASSWORD });
    const bobId = (await createTestAccount(server, { email: bob, password: PASSWORD })).id;
    const annBrowser = request.agent(server.url);
    assert.equal((await pageLogin(annBrowser, '198.51.100.10', ann, PASSWORD)).status, 303);
    await attack(bob, ['203.0.113.8', '203.0.113.9', '203.0.113.10'], 20);
    // Ann's cookie names Ann's account: for Bob's it is just another browser.
    assert.equal((await pageLogin(annBrowser, '198.51.100.10', bob, PASSWORD)).status, 429);
    const forged = request.agent(server.url);
    // Bob's account id is no secret; the signature is what a stranger cannot make.
    forged.jar.setCookie(`gatehouse.device=${crypto.randomUUID()}.${bobId}`, server.url);
    forged.jar.setCookie(`gatehouse.device.sig=${randomBytes(20).toString('base64url')}`, server.url);
    assert.equal((await pageLogin(forged, '198.51.100.11', bob, PASSWORD)).status, 429);
  });
});
