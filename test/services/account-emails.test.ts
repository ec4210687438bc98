// The account mails through real nodemailer to a real SMTP listener, and the
// development log transport.
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.ts';
import { VIEWS_DIR } from '../../src/server.ts';
import { accountLink, createAccountEmails, describeDuration, EMAIL_SUBJECTS } from '../../src/services/account-emails.ts';
import { createMailer, defaultMailFrom } from '../../src/services/mail-transport.ts';
import type { MailMessage, Mailer } from '../../src/services/mailer.ts';
import type { Account } from '../../src/storage/ports.ts';
import { freePort } from '../support/free-port.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

const PUBLIC_URL = 'https://id.example.com';
const HOSTILE_NAME = '<script>alert(1)</script>';
const TOKEN = 'Tok3n_with-base64url-chars';

function account(overrides: Partial<Account> = {}): Account {
  const now = new Date();
  return {
    id: '00000000-0000-4000-8000-000000000001', email: 'ann@example.com', emailVerified: false, name: HOSTILE_NAME, picture: null,
    role: 'user', passwordHash: '$argon2id$secret-hash', disabled: false, lastSignInAt: null, lockedUntil: null, lockGeneration: 0, createdAt: now, updatedAt: now, ...overrides,
  };
}

function logCapture() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { lines, logger, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** The in-memory Mailer for the template-only checks. */
function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return { sent, async send(m) { sent.push(m); }, close() {} };
}

describe('account emails over SMTP', function () {
  let smtp: SmtpCapture;
  let mailer: Mailer;
  const log = logCapture();

  before(async () => {
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, logger: log.logger, from: defaultMailFrom(PUBLIC_URL) });
  });
  after(async () => {
    mailer?.close();
    await smtp?.close();
  });

  it('sends the verification mail with a PUBLIC_URL link, text and HTML parts, through an authenticated SMTP session', async () => {
    const emails = createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR });
    await emails.sendVerification(account({ email: 'verify@example.com' }), TOKEN);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('verify@example.com'));

    assert.deepEqual(mail.rcptTo, ['verify@example.com']);
    assert.equal(mail.to, 'verify@example.com');
    assert.equal(mail.subject, EMAIL_SUBJECTS.verification);
    assert.equal(mail.from, 'no-reply@id.example.com');
    assert.match(mail.headers.get('from') ?? '', /^Gatehouse <no-reply@id\.example\.com>$/);
    assert.deepEqual(mail.auth, { username: smtp.username, password: smtp.password });

    const link = `${PUBLIC_URL}/account/verify-email?token=${TOKEN}`;
    assert.ok(mail.text?.includes(link), `text part lacks ${link}:\n${mail.text}`);
    assert.ok(mail.html?.includes(`href="${link}"`), `HTML part lacks the link:\n${mail.html}`);
    assert.match(mail.text!, /expires in 24 hours/);
    assert.match(mail.html!, /expires in 24 hours/);
    assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative/);
  });

  it('sends the reset mail with its own link and the 30-minute lifetime', async () => {
    const emails = createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR });
    await emails.sendPasswordReset(account({ email: 'reset@example.com', emailVerified: true }), TOKEN);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('reset@example.com'));

    assert.equal(mail.subject, EMAIL_SUBJECTS.passwordReset);
    const link = `${PUBLIC_URL}/account/reset-password?token=${TOKEN}`;
    assert.ok(mail.text?.includes(link), mail.text);
    assert.ok(mail.html?.includes(`href="${link}"`), mail.html);
    assert.doesNotMatch(mail.text!, /verify-email/);
    assert.match(mail.text!, /expires in 30 minutes/);
    assert.match(mail.html!, /expires in 30 minutes/);
  });

  it('escapes the address in the HTML part, keeps it raw in the text part, and never prints the display name', async () => {
    const emails = createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR });
    const email = "o'brien&co@example.com";
    await emails.sendVerification(account({ email }), TOKEN);
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email));

    assert.ok(mail.html!.includes('o&#39;brien&amp;co@example.com'), mail.html);
    assert.ok(!mail.html!.includes(email), 'the raw address reached the HTML part');
    assert.ok(mail.text!.includes(email), 'the text part must not be HTML-escaped');
    for (const part of [mail.text!, mail.html!, mail.raw]) {
      assert.ok(!part.includes('<script>'), 'the display name reached the mail');
      assert.ok(!part.includes('alert(1)'), 'the display name reached the mail');
    }
  });

  it('logs where mail goes but never the SMTP credentials', async () => {
    const text = log.lines.join('\n');
    assert.match(text, new RegExp(`smtp://127\\.0\\.0\\.1:${smtp.port}`));
    assert.ok(!text.includes(smtp.password), 'SMTP password in the log');
    assert.ok(!text.includes(`${smtp.username}:`), 'SMTP userinfo in the log');
  });

  it('rejects when the SMTP server cannot be reached, without the credentials in the error', async () => {
    const port = await freePort();
    const dead = createMailer({ smtpUrl: `smtp://user:hunter2-secret@127.0.0.1:${port}`, logger: logCapture().logger, from: 'x <x@example.com>' });
    try {
      const err = await dead.send({ to: 'a@example.com', subject: 's', text: 't', html: '<p>t</p>' }).then(
        () => assert.fail('send resolved'),
        (e: unknown) => e as Error,
      );
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(!err.message.includes('hunter2-secret'));
    } finally {
      dead.close();
    }
  });
});

describe('account emails: links and templates', function () {
  it('builds links from PUBLIC_URL, with its path prefix and without a doubled slash', async () => {
    const mailer = recordingMailer();
    const emails = createAccountEmails({ mailer, publicUrl: 'https://example.org/auth/', viewsDir: VIEWS_DIR });
    await emails.sendVerification(account(), 'a+b/c');
    const link = 'https://example.org/auth/account/verify-email?token=a%2Bb%2Fc';
    assert.equal(accountLink('https://example.org/auth/', '/account/verify-email', 'a+b/c'), link);
    assert.ok(mailer.sent[0]!.text.includes(link), mailer.sent[0]!.text);
  });

  it('escapes markup in an address in the HTML part', async () => {
    const mailer = recordingMailer();
    const emails = createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR });
    await emails.sendPasswordReset(account({ email: '"<img src=x onerror=alert(1)>"@example.com' }), TOKEN);
    const { html, to } = mailer.sent[0]!;
    assert.equal(to, '"<img src=x onerror=alert(1)>"@example.com');
    assert.ok(!html.includes('<img'), html);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), html);
  });

  it('describes link lifetimes in words', () => {
    assert.equal(describeDuration(24 * 3600), '24 hours');
    assert.equal(describeDuration(30 * 60), '30 minutes');
    assert.equal(describeDuration(3600), '1 hour');
    assert.equal(describeDuration(3 * 86_400), '3 days');
  });

  it('derives the From address from the host of PUBLIC_URL', () => {
    assert.equal(defaultMailFrom('https://id.example.com:8443/base'), 'Gatehouse <no-reply@id.example.com>');
    assert.equal(defaultMailFrom('http://127.0.0.1:3000'), 'Gatehouse <no-reply@[127.0.0.1]>');
    assert.equal(defaultMailFrom('http://localhost:3000'), 'Gatehouse <no-reply@localhost>');
  });
});

describe('log mailer (no SMTP_URL)', function () {
  it('warns once at creation and writes each mail, link included, to the log', async () => {
    const log = logCapture();
    const mailer = createMailer({ smtpUrl: undefined, logger: log.logger, from: defaultMailFrom(PUBLIC_URL) });
    const emails = createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR });
    await emails.sendPasswordReset(account({ email: 'dev@example.com' }), TOKEN);
    await emails.sendVerification(account({ email: 'dev@example.com' }), TOKEN);

    const entries = log.entries();
    const warnings = entries.filter((e) => e.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]!.msg), /SMTP_URL is not set/);
    assert.match(String(warnings[0]!.msg), /production/);

    const mails = entries.filter((e) => e.mail !== undefined).map((e) => e.mail as Record<string, string>);
    assert.equal(mails.length, 2);
    assert.equal(entries.find((e) => e.mail)!.level, 30);
    assert.equal(mails[0]!.to, 'dev@example.com');
    assert.equal(mails[0]!.subject, EMAIL_SUBJECTS.passwordReset);
    assert.ok(mails[0]!.text!.includes(`${PUBLIC_URL}/account/reset-password?token=${TOKEN}`), mails[0]!.text);
    assert.ok(mails[1]!.text!.includes(`${PUBLIC_URL}/account/verify-email?token=${TOKEN}`), mails[1]!.text);
    mailer.close();
  });

  it('never writes an SMTP credential to the log', async () => {
    // The log mailer has none to write; the SMTP mailer is created with some
    // and must keep them out of everything it logs.
    const log = logCapture();
    const smtp = await startSmtpCapture({ username: 'mail-user', password: 'Sup3r-Secret-Smtp' });
    const mailer = createMailer({ smtpUrl: smtp.url, logger: log.logger, from: 'x <x@example.com>' });
    try {
      await createAccountEmails({ mailer, publicUrl: PUBLIC_URL, viewsDir: VIEWS_DIR }).sendVerification(account(), TOKEN);
      await smtp.waitFor(() => true);
    } finally {
      mailer.close();
      await smtp.close();
    }
    assert.ok(log.lines.length > 0, 'nothing was logged at all');
    for (const line of log.lines) {
      assert.ok(!line.includes('Sup3r-Secret-Smtp'), line);
      assert.ok(!line.includes('mail-user'), line);
    }
  });
});
