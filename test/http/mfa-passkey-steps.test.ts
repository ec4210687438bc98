// A passkey sign-in runs the sign-in steps a passkey does not stand in for:
// with TERMS_URL the terms are asked, with REQUIRE_EMAIL_VERIFICATION an
// unverified address is refused (after a valid passkey, as after a correct
// password), on POST /api/v1/auth/passkey, the token endpoint's passkey grant
// under it, and the login page's passkey button. Passkeys are answered by a
// software authenticator that signs like a real one.
import assert from 'node:assert/strict';
import { api, assertError, bearer } from '../support/api.ts';
import { claimsOf, PASSWORD, uniqueEmail } from '../support/admin.ts';
import { PageSession } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

const TERMS_URL = 'https://example.com/terms';
const CALLBACK = 'http://127.0.0.1:1/callback';
const APP = {
  client_id: 'steps-app', client_secret: 'a-client-secret-long-enough-for-hs256-0123456789', redirect_uris: [], response_types: [],
  grant_types: ['urn:gatehouse:params:oauth:grant-type:passkey'], first_party: true,
};
const WEB = { client_id: 'steps-web', client_secret: 'a-client-secret-long-enough-for-hs256-0123456789', redirect_uris: [CALLBACK], grant_types: ['authorization_code'], first_party: true };

describe('MFA: a passkey sign-in runs the other sign-in steps (terms, verified address)', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { TERMS_URL, REQUIRE_EMAIL_VERIFICATION: 'true' }, clients: [WEB, APP] as never });
  });
  after(() => server?.close());

  /** A verified account with a passkey, enrolled after a password sign-in that accepted the terms. */
  async function passkeyUser(tag: string) {
    const email = uniqueEmail(tag);
    const { id } = await createTestAccount(server, { email, password: PASSWORD, emailVerified: true });
    const signedIn = await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD, accept_terms: true });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const key = new SoftAuthenticator(new URL(server.url).origin);
    const token = signedIn.body.access_token as string;
    const options = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(token)).send({ password: PASSWORD });
    const enrolled = await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(token)).send({ response: key.create(options.body) });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    return { id, email, key };
  }

  const assertion = async (key: SoftAuthenticator) => key.get((await api(server).post('/api/v1/auth/passkey/options').send({})).body);

  it('API: 403 FORBIDDEN without accept_terms, tokens with it; the refusal is audited at the terms step', async () => {
    const user = await passkeyUser('pk-terms');
    const refused = await api(server).post('/api/v1/auth/passkey').send({ response: await assertion(user.key) });
    assertError(refused, 403, 'FORBIDDEN');
    assert.match(refused.body.error.message, /Accept the terms of service/);
    const accepted = await api(server).post('/api/v1/auth/passkey').send({ response: await assertion(user.key), accept_terms: true });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(claimsOf(accepted.body.access_token).amr, ['hwk', 'user']);
    assert.deepEqual(claimsOf(accepted.body.id_token).amr, ['hwk', 'user']);
    const events = await server.store.audit.listForSubject(user.id, { limit: 100 });
    assert.ok(events.some((e) => e.type === 'sign_in' && e.result === 'failure' && e.reason === 'FORBIDDEN'
      && (e.details as { step?: string }).step === 'accept-terms'));
  });

  it('API: 403 EMAIL_NOT_VERIFIED for an unverified address, only after a valid passkey', async () => {
    const user = await passkeyUser('pk-unverified');
    await server.store.accounts.update(user.id, { emailVerified: false });
    const refused = await api(server).post('/api/v1/auth/passkey').send({ response: await assertion(user.key), accept_terms: true });
    assertError(refused, 403, 'EMAIL_NOT_VERIFIED');
    // A bad signature says nothing about the address.
    const tampered = await assertion(user.key);
    tampered.response.signature = Buffer.from('not a signature').toString('base64url');
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: tampered, accept_terms: true }), 401, 'INVALID_CREDENTIALS');
    await server.store.accounts.update(user.id, { emailVerified: true });
    const accepted = await api(server).post('/api/v1/auth/passkey').send({ response: await assertion(user.key), accept_terms: true });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  });

  it('token endpoint: the passkey grant answers invalid_grant without accept_terms or with an unverified address, tokens otherwise', async () => {
    const user = await passkeyUser('pk-grant');
    const grant = async (extra: Record<string, string>) => {
      const res = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${APP.client_id}:${APP.client_secret}`).toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'urn:gatehouse:params:oauth:grant-type:passkey', scope: 'openid', webauthn_response: JSON.stringify(await assertion(user.key)), ...extra,
        }),
      });
      return { status: res.status, body: await res.json() as { error?: string; error_description?: string; id_token?: string } };
    };
    const refused = await grant({});
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'invalid_grant');
    assert.match(String(refused.body.error_description), /terms/);
    const accepted = await grant({ accept_terms: 'true' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(claimsOf(accepted.body.id_token ?? assert.fail('no id_token')).amr, ['hwk', 'user']);
    await server.store.accounts.update(user.id, { emailVerified: false });
    const unverified = await grant({ accept_terms: 'true' });
    assert.equal(unverified.status, 400);
    assert.equal(unverified.body.error, 'invalid_grant');
    assert.match(String(unverified.body.error_description), /not verified/);
  });

  it('OpenAPI: the passkey route takes accept_terms and lists its refusals', async () => {
    const doc = (await api(server).get('/openapi.json')).body as { paths: Record<string, Record<string, { requestBody: unknown; responses: Record<string, { description: string }> }>> };
    const route = doc.paths['/api/v1/auth/passkey']!.post!;
    assert.match(JSON.stringify(route.requestBody), /accept_terms/);
    assert.match(route.responses['403']!.description, /EMAIL_NOT_VERIFIED/);
    assert.match(route.responses['403']!.description, /FORBIDDEN/);
  });

  /** The login page of an authorization request for the web client. */
  async function loginPage(session: PageSession) {
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: WEB.client_id, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const page = await session.follow(url.href);
    assert.match(page.body, /name="step" value="password"/);
    return page;
  }

  it('pages: the passkey button leads to the terms page, which refuses until accepted, then the client gets its code', async () => {
    const user = await passkeyUser('pk-page-terms');
    const session = new PageSession();
    const login = await loginPage(session);
    const posted = await session.submit(login, { action: 'passkey', webauthn_response: JSON.stringify(await assertion(user.key)) });
    assert.equal(posted.status, 303, posted.body.slice(0, 300));
    const terms = await session.follow(posted.location!);
    assert.match(terms.body, /name="step" value="accept-terms"/);
    assert.doesNotMatch(terms.body, /Two-step verification/, 'the passkey was the second factor');
    const refused = await session.submit(terms, {});
    assert.equal(refused.status, 403);
    const accepted = await session.submit(terms, { accept_terms: 'on' });
    assert.equal(accepted.status, 303);
    const back = await session.follow(accepted.location!, (location) => location.startsWith(CALLBACK));
    assert.ok(back.location?.startsWith(CALLBACK), `at ${back.url}: ${back.body.slice(0, 300)}`);
    assert.ok(new URL(back.location!).searchParams.get('code'));
  });

  it('pages: an unverified address gets the login page again with the verification notice', async () => {
    const user = await passkeyUser('pk-page-unverified');
    await server.store.accounts.update(user.id, { emailVerified: false });
    const session = new PageSession();
    const login = await loginPage(session);
    const refused = await session.submit(login, { action: 'passkey', webauthn_response: JSON.stringify(await assertion(user.key)) });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /name="step" value="password"/);
    assert.match(refused.body, /Verify your email before signing in\./);
  });
});
