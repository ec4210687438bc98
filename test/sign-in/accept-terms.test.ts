// The accept-terms step (TERMS_URL) on each surface that runs the sign-in
// steps: the JSON login, the password grant and the interaction pages. It
// pins that a step added to the registry reaches all three, and that its
// refusal is the same AppError everywhere.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { api, assertError } from '../support/api.ts';
import { CLIENTS, USER, startFixture, tokenRequest, type Fixture } from '../oidc/fixtures.ts';
import { PageSession } from '../support/page-session.ts';

const TERMS_URL = 'https://example.com/terms';

describe('sign-in steps: accept the terms (TERMS_URL)', function () {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture({ TERMS_URL });
  });
  after(() => fx.server.close());

  const credentials = { email: USER.email, password: USER.password };

  it('JSON login: 403 FORBIDDEN without accept_terms, tokens with it', async function () {
    const refused = await api(fx.server).post('/api/v1/auth/login').send(credentials);
    assertError(refused, 403, 'FORBIDDEN');
    assert.match(refused.body.error.message, /Accept the terms of service/);
    const accepted = await api(fx.server).post('/api/v1/auth/login').send({ ...credentials, accept_terms: true });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual(decodeJwt(String(accepted.body.id_token)).amr, ['pwd']);
  });

  it('JSON login: a wrong password is refused by the password step before the terms are asked', async function () {
    const res = await api(fx.server).post('/api/v1/auth/login').send({ ...credentials, password: 'not the password at all', accept_terms: true });
    assertError(res, 401, 'INVALID_CREDENTIALS');
  });

  it('password grant: invalid_grant without accept_terms, tokens with accept_terms=true', async function () {
    const form = { grant_type: 'password', username: USER.email, password: USER.password, scope: 'openid' };
    const refused = await tokenRequest(fx.server, CLIENTS.firstParty, form);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.match(String(refused.body.error_description), /terms/);
    const accepted = await tokenRequest(fx.server, CLIENTS.firstParty, { ...form, accept_terms: 'true' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  });

  it('OpenAPI: the login route takes accept_terms and lists its refusal', async function () {
    const doc = (await api(fx.server).get('/openapi.json')).body as { paths: Record<string, Record<string, { requestBody: unknown; responses: Record<string, { description: string }> }>> };
    const login = doc.paths['/api/v1/auth/login']!.post!;
    assert.match(JSON.stringify(login.requestBody), /accept_terms/);
    assert.match(login.responses['403']!.description, /FORBIDDEN/);
  });

  it('pages: the password page, then the terms page, which refuses until accepted, then consent', async function () {
    const session = new PageSession();
    const url = new URL(`${fx.server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: CLIENTS.web.client_id, response_type: 'code', redirect_uri: CLIENTS.web.redirect_uris[0]!, scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const login = await session.follow(url.href);
    assert.match(login.body, /name="step" value="password"/);
    const afterPassword = await session.submit(login, { email: USER.email, password: USER.password });
    assert.equal(afterPassword.status, 303);
    const terms = await session.follow(afterPassword.location!);
    assert.match(terms.body, /name="step" value="accept-terms"/);
    assert.match(terms.body, /href="https:\/\/example.com\/terms"/);

    const refused = await session.submit(terms, {});
    assert.equal(refused.status, 403);
    assert.match(refused.body, /Accept the terms of service to sign in/);
    // A password form posted from an older tab does not pass for the terms step.
    const stale = await session.submit(login, { email: USER.email, password: USER.password });
    assert.equal(stale.status, 303);
    assert.match((await session.follow(stale.location!)).body, /name="step" value="accept-terms"/);

    const accepted = await session.submit(terms, { accept_terms: 'on' });
    assert.equal(accepted.status, 303);
    const next = await session.follow(accepted.location!, (location) => location.startsWith(CLIENTS.web.redirect_uris[0]!));
    assert.match(next.body, /name="prompt" value="consent"/);
  });
});
