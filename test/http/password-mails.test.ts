// The owner hears of every password change, an old reset link cannot undo
// one, and a reset request answers before anything is written for the account.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestServer, createTestAccount, type TestServer } from '../support/server.ts';
import { api, assertError, bearer, linkToken, login } from '../support/api.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';
import { createPgDriver } from '../../src/storage/sql/pg-driver.ts';
import { openSqlStore } from '../../src/storage/sql/sql-store.ts';
import type { SqlDriver } from '../../src/storage/sql/driver.ts';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different long passphrase';
let counter = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${(counter += 1)}@example.com`;

describe('password change and reset mails', function () {
  let server: TestServer;
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  const mailTo = (email: string, subject: RegExp) => smtp.waitFor((m) => m.to.includes(email) && subject.test(m.subject));

  it('POST /me/password mails the owner and voids a reset link sent before the change', async () => {
    const email = uniqueEmail('change');
    await createTestAccount(server, { email, password: PASSWORD });
    assert.equal((await api(server).post('/api/v1/auth/password-reset').send({ email })).status, 202);
    const stale = linkToken(await mailTo(email, /reset your password/i), '/account/reset-password');

    const tokens = await login(server, { email, password: PASSWORD });
    const changed = await api(server).post('/api/v1/me/password').set(bearer(tokens.access_token))
      .send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 204);
    const notice = await mailTo(email, /password was changed/i);
    assert.match(notice.text ?? '', /was changed on/);
    assert.match(notice.text ?? '', /\/account\/forgot-password/);

    // Whoever holds the older link cannot set the password back.
    const replay = await api(server).post('/api/v1/auth/password-reset/confirm').send({ token: stale, new_password: 'the attacker passphrase 42' });
    assertError(replay, 400, 'INVALID_TOKEN');
    await login(server, { email, password: NEW_PASSWORD });
  });

  it('a completed reset mails the owner', async () => {
    const email = uniqueEmail('reset');
    await createTestAccount(server, { email, password: PASSWORD });
    await api(server).post('/api/v1/auth/password-reset').send({ email });
    const token = linkToken(await mailTo(email, /reset your password/i), '/account/reset-password');
    assert.equal((await api(server).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: NEW_PASSWORD })).status, 204);
    const notice = await mailTo(email, /password was changed/i);
    assert.match(notice.text ?? '', /reset through an emailed link/);
  });
});

// The token write is what would set a known address apart. PostgreSQL lets
// another connection hold the table still: the answer must not wait for it.
describe('password reset request timing (PostgreSQL)', function () {
  const url = process.env.TEST_DATABASE_URL;
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  let server: TestServer | undefined;
  let smtp: SmtpCapture | undefined;
  let admin: SqlDriver | undefined;
  let locker: SqlDriver | undefined;

  before(async function () {
    if (!url) this.skip(); // needs a second connection to the server's database: set TEST_DATABASE_URL
    admin = createPgDriver({ url, max: 1 });
    await admin.query(`create schema ${schema}`);
    smtp = await startSmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, store: await openSqlStore(createPgDriver({ url, schema })) });
    locker = createPgDriver({ url, schema, max: 1 });
  });
  after(async () => {
    await locker?.close();
    await server?.close();
    await smtp?.close();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.close();
  });

  it('answers a known address without waiting for the reset token write, as fast as an unknown one', async () => {
    const email = uniqueEmail('timing');
    await createTestAccount(server!, { email, password: PASSWORD });
    // Hold writes to the token table (EXCLUSIVE blocks inserts and deletes, not reads).
    await locker!.query('begin');
    await locker!.query('lock table one_time_tokens in exclusive mode');
    let released = false;
    const send = (address: string) => {
      const started = performance.now();
      return api(server!).post('/api/v1/auth/password-reset').send({ email: address })
        .then((res) => ({ status: res.status, ms: performance.now() - started, released }));
    };
    const answers = Promise.all([send(email), send(uniqueEmail('nobody'))]);
    try {
      // Give both 5 s with the table held; a request waiting for the write would still be pending.
      await Promise.race([answers, new Promise((resolve) => setTimeout(resolve, 5000))]);
    } finally {
      released = true;
      await locker!.query('rollback');
    }
    const [known, unknown] = await answers;
    assert.equal(unknown.status, 202);
    assert.equal(known.status, 202);
    assert.equal(unknown.released, false);
    assert.equal(known.released, false, `the known address waited for the token write (${Math.round(known.ms)} ms)`);
    // The token is written once the table is free, and the link works.
    const token = linkToken(await smtp!.waitFor((m) => m.to.includes(email)), '/account/reset-password');
    assert.equal((await api(server!).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: NEW_PASSWORD })).status, 204);
  });
});
