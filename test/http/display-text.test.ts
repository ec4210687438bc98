// Names and device details are shown on other screens (the session list, the
// admin console, mails): bidi overrides and control characters are removed
// before they are stored, however the attacker sends them.
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { api, bearer, login } from '../support/api.ts';

const PASSWORD = 'correct horse battery staple';
const BIDI = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f';
/** A header value carrying these characters as their UTF-8 bytes, as a client on the wire sends them. */
const utf8Header = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('display text: control and bidi characters are stripped before storage', function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('strips them from the name given at registration and at PATCH /me', async () => {
    const email = `bidi-${Date.now()}@example.com`;
    const registered = await api(server).post('/api/v1/auth/register')
      .send({ email, password: PASSWORD, name: `Ad\u202Emoc.live\u202C\u0007a\u0085 ${BIDI}L\u0000x`.replace('\u0000', '\u001b') });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal(registered.body.user.name, 'Admoc.livea Lx');
    await server.store.accounts.update(registered.body.user.id, { emailVerified: true });

    const tokens = await login(server, { email, password: PASSWORD });
    const patched = await api(server).patch('/api/v1/me').set(bearer(tokens.access_token)).send({ name: `Eve \u2067gpj.exe\u2069\u200f\u009b` });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Eve gpj.exe');
    assert.equal((await server.store.accounts.findById(registered.body.user.id))?.name, 'Eve gpj.exe');
  });

  it('strips them from X-Device-Name, X-Device-Type and User-Agent, sent as raw UTF-8 bytes', async () => {
    const email = `device-${Date.now()}@example.com`;
    await api(server).post('/api/v1/auth/register').send({ email, password: PASSWORD });
    const account = await server.store.accounts.findByEmail(email);
    await server.store.accounts.update(account!.id, { emailVerified: true });
    // fetch writes header values byte for byte (Node's http client re-encodes
    // them as UTF-8 when a body goes out in the same write).
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Device-Name': utf8Header(`Zoë’s \u202Eenohp\u202C\tphone${BIDI}`),
        'X-Device-Type': utf8Header(`mob\u2066ile\u0085`),
        'User-Agent': utf8Header(`Agent/1.0 \u202Eevil\u200e`),
      },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(res.status, 200);
    const tokens = (await res.json()) as { access_token: string };
    const [session] = (await api(server).get('/api/v1/me/sessions').set(bearer(tokens.access_token))).body;
    assert.equal(session.device_name, 'Zoë’s enohpphone');
    assert.equal(session.device_type, 'mobile');
    assert.equal(session.user_agent, 'Agent/1.0 evil');
  });
});
