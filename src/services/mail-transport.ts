// The transports behind the Mailer port: SMTP through nodemailer when SMTP_URL
// is set, otherwise the development log. config.ts refuses a missing SMTP_URL
// when NODE_ENV=production, so the log transport never runs in production.
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import type { Logger } from '../logger.ts';
import type { MailMessage, Mailer } from './mailer.ts';

export interface MailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; undefined selects the log transport. */
  smtpUrl: string | undefined;
  logger: Logger;
  /** The From header, config.mailFrom (MAIL_FROM or defaultMailFrom). */
  from: string;
}

/**
 * `Gatehouse <no-reply@HOST>` (the product name) for the host of PUBLIC_URL.
 * An IP address becomes an RFC 5321 address literal (`no-reply@[127.0.0.1]`).
 * A name with specials is quoted (RFC 5322 display-name).
 */
export function defaultMailFrom(publicUrl: string, productName = 'Gatehouse'): string {
  const host = new URL(publicUrl).hostname;
  const domain = isIP(host) === 4 ? `[${host}]` : host;
  const name = /^[\w \-!#$%&'*+/=?^`{|}~]+$/.test(productName) ? productName : `"${productName.replace(/["\\]/g, '\\$&')}"`;
  return `${name} <no-reply@${domain}>`;
}

/** Where the SMTP server is, for the log: host and port only, never the userinfo. */
export function describeSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  return `${url.protocol}//${url.host}`;
}

export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? createSmtpMailer(options.smtpUrl, options) : createLogMailer(options);
}

function createSmtpMailer(smtpUrl: string, { logger, from }: MailerOptions): Mailer {
  // A pool keeps a few connections open so a burst of sign-ups does not open
  // one TCP/TLS session per mail. Values in the URL's query win over these.
  // Sending happens after the response (registration.ts deliverLater), so
  // bounded timeouts only keep a dead SMTP server from piling up sockets.
  const transport = createTransport(
    {
      url: smtpUrl,
      pool: true,
      maxConnections: 3,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // nodemailer's own logger would print the AUTH exchange; keep it off.
      logger: false,
      debug: false,
    },
    { from },
  );
  logger.info({ smtp: describeSmtpUrl(smtpUrl) }, 'mail goes out through SMTP');

  return {
    async send(message) {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    close() {
      transport.close();
    },
  };
}

function createLogMailer({ logger, from }: MailerOptions): Mailer {
  logger.warn(
    'SMTP_URL is not set: every mail, one-time links included, is written to this log instead of being sent. '
    + 'Development only; NODE_ENV=production refuses to start this way.',
  );
  return {
    async send(message: MailMessage) {
      // The text part carries the link; the HTML part says the same thing.
      logger.info({ mail: { from, to: message.to, subject: message.subject, text: message.text } }, 'mail (not sent: no SMTP_URL)');
    },
    close() {},
  };
}
