// The mail port. Services hand it finished messages; the transport behind it
// (SMTP through nodemailer, or the development log) is chosen at start.
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Deliver one message; rejects when the transport refuses it. */
  send(message: MailMessage): Promise<void>;
  /** Release the transport's connections. */
  close(): void;
}
