// Security keys and passkeys through the JSON API, answered by a software
// authenticator (test/support/soft-authenticator.ts) that signs like a real
// one: enrolment, the second factor after a password, single-use challenges.
import assert from 'node:assert/strict';
import { api, assertError, bearer, login } from '../support/api.ts';
import { claimsOf, PASSWORD, uniqueEmail } from '../support/admin.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';

describe('MFA: WebAuthn security keys and passkeys (API)', function () {
  this.timeout(120_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  async function account(tag: string) {
    const email = uniqueEmail(tag);
    const { id } = await createTestAccount(server, { email, password: PASSWORD });
    const tokens = await login(server, { email, password: PASSWORD });
    return { id, email, token: tokens.access_token, key: new SoftAuthenticator(new URL(server.url).origin) };
  }

  async function enrol(user: Awaited<ReturnType<typeof account>>, name = 'My key') {
    const options = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(user.token)).send({ password: PASSWORD });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    const res = await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ name, response: user.key.create(options.body) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { options: options.body, factor: res.body };
  }

  async function mfaToken(email: string): Promise<string> {
    const res = await api(server).post('/api/v1/auth/login').send({ email, password: PASSWORD });
    assertError(res, 403, 'MFA_REQUIRED');
    return res.body.mfa.token as string;
  }

  it('enrols a discoverable credential: options need the password, the factor is listed, the challenge works once', async () => {
    const user = await account('wa-enrol');
    assertError(await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(user.token)).send({ password: 'wrong password!' }), 403, 'WRONG_PASSWORD');
    const { options, factor } = await enrol(user);
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    assert.equal(options.authenticatorSelection.userVerification, 'preferred');
    assert.equal(options.rp.id, new URL(server.url).hostname);
    assert.equal(factor.type, 'webauthn');
    assert.equal(factor.name, 'My key');
    // The same challenge again: used up.
    const replay = await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ response: user.key.create(options) });
    assertError(replay, 400, 'INVALID_MFA_RESPONSE');
    const list = await api(server).get('/api/v1/me/mfa').set(bearer(user.token));
    assert.deepEqual(list.body.factors.map((f: { id: string; type: string }) => [f.id, f.type]), [[factor.id, 'webauthn']]);
    // A second enrolment excludes the first credential.
    const again = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(user.token)).send({ password: PASSWORD });
    assert.deepEqual(again.body.excludeCredentials.map((c: { id: string }) => c.id), [user.key.credentials.map((c) => c.id.toString('base64url'))[0]]);
  });

  it('refuses a response to a challenge never issued, of another account, or garbage', async () => {
    const user = await account('wa-bad');
    const other = await account('wa-other');
    const forged = user.key.create({ challenge: 'bm90LWlzc3VlZA', rp: {}, user: { id: 'eA' } });
    assertError(await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ response: forged }), 400, 'INVALID_MFA_RESPONSE');
    const options = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(other.token)).send({ password: PASSWORD });
    const stolen = user.key.create(options.body);
    assertError(await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ response: stolen }), 400, 'INVALID_MFA_RESPONSE');
    assertError(await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ response: { id: 1, response: 'x' } }), 400, 'INVALID_MFA_RESPONSE');
    const list = await api(server).get('/api/v1/me/mfa').set(bearer(user.token));
    assert.deepEqual(list.body.factors, []);
  });

  it('signs in with the key as a second factor: amr pwd hwk mfa; the token and the challenge work once', async () => {
    const user = await account('wa-mfa');
    await enrol(user);
    const token = await mfaToken(user.email);
    assertError(await api(server).post('/api/v1/auth/login/mfa/options').send({ mfa_token: 'nope' }), 401, 'INVALID_MFA_TOKEN');
    const options = await api(server).post('/api/v1/auth/login/mfa/options').send({ mfa_token: token });
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.equal(options.body.allowCredentials.length, 1);
    const answer = user.key.get(options.body);
    const res = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: token, webauthn_response: answer });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(claimsOf(res.body.access_token).amr, ['pwd', 'hwk', 'mfa']);
    // Replayed with a fresh token: the challenge is used up.
    const second = await mfaToken(user.email);
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: second, webauthn_response: answer }), 400, 'INVALID_MFA_RESPONSE');
  });

  it('binds the challenge to its mfa_token, and refuses a bad signature', async () => {
    const user = await account('wa-bind');
    await enrol(user);
    const first = await mfaToken(user.email);
    const second = await mfaToken(user.email);
    const options = await api(server).post('/api/v1/auth/login/mfa/options').send({ mfa_token: first });
    const answer = user.key.get(options.body);
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: second, webauthn_response: answer }), 400, 'INVALID_MFA_RESPONSE');
    const again = await api(server).post('/api/v1/auth/login/mfa/options').send({ mfa_token: second });
    const tampered = user.key.get(again.body);
    tampered.response.signature = Buffer.from('not a signature').toString('base64url');
    assertError(await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: second, webauthn_response: tampered }), 400, 'INVALID_MFA_RESPONSE');
  });

  it('signs in with the passkey and no password: amr hwk user, audited, the challenge works once', async () => {
    const user = await account('wa-passkey');
    await enrol(user);
    const options = await api(server).post('/api/v1/auth/passkey/options').send({});
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.equal(options.body.allowCredentials, undefined);
    assert.equal(options.body.userVerification, 'required');
    const answer = user.key.get(options.body);
    const res = await api(server).post('/api/v1/auth/passkey').send({ response: answer, remember_me: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(claimsOf(res.body.access_token).amr, ['hwk', 'user']);
    assert.equal(res.body.user.email, user.email);
    assert.ok(res.body.refresh_token);
    assert.deepEqual(claimsOf(res.body.id_token).amr, ['hwk', 'user']);
    const sessions = (await api(server).get('/api/v1/me/sessions').set(bearer(res.body.access_token))).body;
    assert.deepEqual((sessions.items ?? sessions).find((s: { current: boolean }) => s.current).amr, ['hwk', 'user']);
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: answer }), 401, 'INVALID_CREDENTIALS');
    const events = await server.store.audit.listForSubject(user.id, { limit: 100 });
    assert.ok(events.some((e) => e.type === 'sign_in' && e.result === 'success' && (e.details as { method?: string }).method === 'passkey'));
  });

  it('refuses a passkey: unknown challenge, unknown credential, bad signature, disabled account', async () => {
    const user = await account('wa-passkey-bad');
    await enrol(user);
    const never = user.key.get({ challenge: 'bmV2ZXItaXNzdWVk' });
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: never }), 401, 'INVALID_CREDENTIALS');
    const stranger = new SoftAuthenticator(new URL(server.url).origin);
    stranger.create({ challenge: 'eA', rp: {}, user: { id: 'eA' } });
    const unknown = stranger.get((await api(server).post('/api/v1/auth/passkey/options').send({})).body);
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: unknown }), 401, 'INVALID_CREDENTIALS');
    const tampered = user.key.get((await api(server).post('/api/v1/auth/passkey/options').send({})).body);
    tampered.response.signature = Buffer.from('nope').toString('base64url');
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: tampered }), 401, 'INVALID_CREDENTIALS');
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: 'garbage' }), 400, 'VALIDATION_FAILED');
    await server.store.accounts.update(user.id, { disabled: true });
    const disabled = user.key.get((await api(server).post('/api/v1/auth/passkey/options').send({})).body);
    assertError(await api(server).post('/api/v1/auth/passkey').send({ response: disabled }), 403, 'ACCOUNT_DISABLED');
  });

  it('answers recovery codes with the first factor only, as a confirmed authenticator app does', async () => {
    const user = await account('wa-codes');
    const first = await enrol(user, 'First key');
    const codes = first.factor.recovery_codes as string[];
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    const listed = await api(server).get('/api/v1/me/mfa').set(bearer(user.token));
    assert.equal(listed.body.recovery_codes_remaining, 10);
    const second = await enrol(user, 'Second key');
    assert.equal(second.factor.recovery_codes, undefined);
    // A code signs in as the second factor after the password.
    const token = await mfaToken(user.email);
    const res = await api(server).post('/api/v1/auth/login/mfa').send({ mfa_token: token, recovery_code: codes[0] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(claimsOf(res.body.access_token).amr, ['pwd', 'otp', 'mfa']);
  });

  it('binds an enrolment challenge to the session that asked for it: another session of the same account is refused', async () => {
    const user = await account('wa-session');
    const other = await login(server, { email: user.email, password: PASSWORD });
    const options = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(user.token)).send({ password: PASSWORD });
    assert.equal(options.status, 200);
    const answer = user.key.create(options.body);
    assertError(await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(other.access_token)).send({ response: answer }), 400, 'INVALID_MFA_RESPONSE');
    // The refusal used the challenge up: the asking session cannot finish with it either.
    assertError(await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(user.token)).send({ response: answer }), 400, 'INVALID_MFA_RESPONSE');
    assert.deepEqual((await api(server).get('/api/v1/me/mfa').set(bearer(user.token))).body.factors, []);
    const events = await server.store.audit.listForSubject(user.id, { limit: 100 });
    assert.equal(events.filter((e) => e.type === 'mfa.enrolled' && e.result === 'failure').length, 2);
    // From the same session it works.
    const fresh = await api(server).post('/api/v1/me/mfa/webauthn/options').set(bearer(other.access_token)).send({ password: PASSWORD });
    const res = await api(server).post('/api/v1/me/mfa/webauthn').set(bearer(other.access_token)).send({ response: user.key.create(fresh.body) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  it('renames a factor: 200 with the factor, audited; 404 for another account\'s or an unknown one; 400 for a bad name', async () => {
    const user = await account('wa-rename');
    const other = await account('wa-rename-other');
    const { factor } = await enrol(user, 'Old name');
    const res = await api(server).patch(`/api/v1/me/mfa/${factor.id}`).set(bearer(user.token)).send({ name: '  Work laptop ' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual({ id: res.body.id, type: res.body.type, name: res.body.name }, { id: factor.id, type: 'webauthn', name: 'Work laptop' });
    assert.equal(res.body.created_at, factor.created_at);
    const listed = await api(server).get('/api/v1/me/mfa').set(bearer(user.token));
    assert.equal(listed.body.factors[0].name, 'Work laptop');
    assertError(await api(server).patch(`/api/v1/me/mfa/${factor.id}`).set(bearer(other.token)).send({ name: 'Mine now' }), 404, 'NOT_FOUND');
    assertError(await api(server).patch('/api/v1/me/mfa/no-such-factor').set(bearer(user.token)).send({ name: 'X' }), 404, 'NOT_FOUND');
    assertError(await api(server).patch(`/api/v1/me/mfa/${factor.id}`).set(bearer(user.token)).send({ name: '   ' }), 400, 'VALIDATION_FAILED');
    assertError(await api(server).patch(`/api/v1/me/mfa/${factor.id}`).set(bearer(user.token)).send({ name: 'x'.repeat(65) }), 400, 'VALIDATION_FAILED');
    assertError(await api(server).patch(`/api/v1/me/mfa/${factor.id}`).set(bearer(user.token)).send({}), 400, 'VALIDATION_FAILED');
    assertError(await api(server).patch(`/api/v1/me/mfa/${factor.id}`).send({ name: 'X' }), 401, 'UNAUTHENTICATED');
    assert.equal((await api(server).get('/api/v1/me/mfa').set(bearer(user.token))).body.factors[0].name, 'Work laptop');
    const events = await server.store.audit.listForSubject(user.id, { limit: 100 });
    const renamed = events.filter((e) => e.type === 'mfa.renamed');
    assert.deepEqual(renamed.map((e) => [e.result, (e.details as { factor_id?: string }).factor_id]), [['success', factor.id]]);
  });

  it('removes the credential with the password', async () => {
    const user = await account('wa-remove');
    const { factor } = await enrol(user);
    const del = await api(server).delete(`/api/v1/me/mfa/${factor.id}`).set(bearer(user.token)).send({ password: PASSWORD });
    assert.equal(del.status, 204);
    const res = await api(server).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD });
    assert.equal(res.status, 200);
  });
});
