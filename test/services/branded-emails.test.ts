// The product name, logo and accent colour in real mails (nodemailer to a real
// SMTP listener), MAIL_FROM as the From header, and TEMPLATES_DIR replacing
// one mail while the others keep the shipped templates.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { VIEWS_DIR } from '../../src/server.ts';
import { createAccountEmails } from '../../src/services/account-emails.ts';
import { createMailer } from '../../src/services/mail-transport.ts';
import type { Mailer } from '../../src/services/mailer.ts';
import type { Account } from '../../src/storage/ports.ts';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.ts';

function account(email: string): Account {
  const now = new Date();
  return {
    id: crypto.randomUUID(), email, emailVerified: false, name: null, picture: null, role: 'user', passwordHash: 'x',
    disabled: false, lastSignInAt: null, lockedUntil: null, lockGeneration: 0, createdAt: now, updatedAt: now,
  };
}

describe('branded mails', function () {
  let smtp: SmtpCapture;
  let mailer: Mailer;
  let templates: string;
  const config = () => parseConfig({
    PUBLIC_URL: 'https://id.acme.example', PRODUCT_NAME: 'Acme & Co ID', LOGO_URL: '/brand/logo.png',
    ACCENT_COLOR: '#0b6e4f', MAIL_FROM: 'Acme Accounts <accounts@acme.example>', TEMPLATES_DIR: templates,
  });

  before(async () => {
    templates = await mkdtemp(join(tmpdir(), 'gatehouse-mail-templates-'));
    await mkdir(join(templates, 'emails'));
    // One mail replaced (its HTML part), still inside the shipped layout.
    await writeFile(join(templates, 'emails', 'reset-password.html.eta'), [
      "<% layout('./layout.html.eta', { subject: it.subject }) %>",
      '<p>Custom reset for <%= it.email %> at <%= it.productName %>: <a href="<%= it.link %>">reset</a></p>',
    ].join('\n'));
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, logger: createLogger('silent'), from: config().mailFrom });
  });
  after(async () => {
    mailer?.close();
    await smtp?.close();
    await rm(templates, { recursive: true, force: true });
  });

  it('names the product in the subject, text and HTML, shows the logo and the accent colour, from MAIL_FROM', async function () {
    const { branding, publicUrl } = config();
    const emails = createAccountEmails({ mailer, publicUrl, viewsDir: VIEWS_DIR, branding });
    await emails.sendVerification(account('brand@example.com'), 'tok');
    const mail = await smtp.waitFor((m) => m.rcptTo.includes('brand@example.com'));

    assert.equal(mail.subject, 'Confirm your email address · Acme & Co ID');
    assert.equal(mail.headers.get('from'), 'Acme Accounts <accounts@acme.example>');
    assert.equal(mail.from, 'accounts@acme.example');
    assert.match(mail.text!, /created a Acme & Co ID account/);
    assert.doesNotMatch(mail.text!, /Gatehouse|&amp;/);
    const html = mail.html!;
    assert.match(html, /Acme &amp; Co ID/);
    assert.doesNotMatch(html, /Gatehouse/);
    assert.match(html, /<img src="https:\/\/id\.acme\.example\/brand\/logo\.png" alt=""/);
    assert.match(html, /background:#0b6e4f;color:#ffffff;/);
    assert.doesNotMatch(html, /#1f5fbf/);
  });

  it('takes a mail from TEMPLATES_DIR when it is there, and the shipped one otherwise', async function () {
    const { branding, publicUrl } = config();
    const emails = createAccountEmails({ mailer, publicUrl, viewsDir: VIEWS_DIR, branding });
    await emails.sendPasswordReset(account('custom@example.com'), 'tok');
    const custom = await smtp.waitFor((m) => m.rcptTo.includes('custom@example.com'));
    assert.match(custom.html!, /<p>Custom reset for custom@example\.com at Acme &amp; Co ID: <a href="https:\/\/id\.acme\.example\/account\/reset-password\?token=tok">/);
    // The shipped layout still wraps it; the text part is the shipped one.
    assert.match(custom.html!, /<!doctype html>[\s\S]*border-top:4px solid #0b6e4f/);
    assert.match(custom.text!, /reset the password of the Acme & Co ID account/);

    await emails.sendPasswordChanged(account('shipped@example.com'), 'changed');
    const shipped = await smtp.waitFor((m) => m.rcptTo.includes('shipped@example.com'));
    assert.equal(shipped.subject, 'Your password was changed · Acme & Co ID');
    assert.doesNotMatch(shipped.html!, /Custom/);
  });
});
