// The device flow's code entry at /oidc/device over plain HTTP: its pages,
// the CSRF check it inherits from oidc-provider, and the per-IP limit on wrong
// user codes (RFC 8628 §5.1). The browser walk-through is test/e2e/device-flow.test.ts.
import { strict as assert } from 'node:assert';
import { startTestServer, type TestServer } from '../support/server.ts';
import { PageSession, type PageResponse } from '../support/page-session.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TV = 'device-limit-tv';
const LIMIT = 3;

describe('Device flow code entry', function () {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: { RATE_LIMIT_DEVICE_CODE_FAILURES_PER_IP: String(LIMIT) },
      clients: [{ client_id: TV, client_name: 'Kitchen Radio', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT], response_types: [], redirect_uris: [] }],
    });
  });
  after(() => server?.close());

  async function deviceAuthorization(): Promise<{ user_code: string; device_code: string }> {
    const res = await fetch(`${server.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: TV, scope: 'openid profile' }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { user_code: string; device_code: string };
  }

  async function entryPage(session: PageSession): Promise<PageResponse> {
    const page = await session.request(`${server.issuer}/device`);
    assert.equal(page.status, 200);
    return page;
  }

  async function events(type: string) {
    return server.store.audit.list({ type }, { limit: 50 });
  }

  it('shows the confirmation with the client and its scopes for a right code', async () => {
    const { user_code: code } = await deviceAuthorization();
    const session = new PageSession();
    const page = await entryPage(session);
    assert.match(page.body, /Connect a device/);
    assert.doesNotMatch(page.body, /<script|\son\w+=/i, 'no script on the page');

    const confirm = await session.submit(page, { user_code: code });
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /Connect Kitchen Radio\?/);
    assert.match(confirm.body, /See your name/);
    assert.match(confirm.body, new RegExp(code));
  });

  it('says so when a code is wrong or the form forged, and refuses an IP past the limit with 429 and Retry-After, right codes included', async () => {
    const session = new PageSession();
    const refusedBefore = (await events('device_code.refused')).length;
    const { user_code: right } = await deviceAuthorization();
    // Without the form's secret (CSRF) nothing is looked up, and the post counts as a wrong code.
    const forged = await new PageSession().request(`${server.issuer}/device`, { form: { user_code: right } });
    assert.notEqual(forged.status, 200);
    assert.doesNotMatch(forged.body, /Kitchen Radio/);
    assert.doesNotMatch(forged.body, /\n\s+at /, 'no stack trace');
    // A right code gives its point back: only the wrong ones fill the limit.
    for (let i = 1; i < LIMIT; i += 1) {
      const wrong = await session.submit(await entryPage(session), { user_code: 'BCDF-GHJK' });
      assert.equal(wrong.status, 200);
      assert.match(wrong.body, /That code is not valid/);
      if (i === 1) assert.equal((await session.submit(await entryPage(session), { user_code: right })).status, 200);
    }
    const limited = await session.submit(await entryPage(session), { user_code: right });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.match(limited.body, /Too many wrong codes/);
    assert.doesNotMatch(limited.body, /Kitchen Radio/, 'the code was not looked up');

    const all = await events('device_code.refused');
    const refused = all.slice(0, all.length - refusedBefore);
    // Audited: each wrong code looked up (the forged post never got that far) and the refusal.
    assert.deepEqual(refused.map((e) => e.reason).sort(), [...Array(LIMIT - 1).fill('INVALID_USER_CODE'), 'RATE_LIMITED'].sort());
    assert.doesNotMatch(JSON.stringify(refused), /BCDF|GHJK/, 'the codes tried are not stored');
  });
});
