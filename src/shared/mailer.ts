import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

export type MailKind =
  | 'verify-email'
  | 'reset-password'
  | 'event-invitation'
  | 'list-shared'
  | 'security-alert'
  | 'ticket-confirm'
  | 'ticket-link';

export interface Mail {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * SMTP through nodemailer when SMTP_URL is set; otherwise each email is logged (without its body,
 * which holds tokens) and written as a JSON file into the outbox directory.
 */
export function createMailer(opts: { smtpUrl?: string; from: string; outboxDir: string; logger: Logger }): Mailer {
  const mailer = transport(opts);
  return { send: (mail) => mailer.send(safeHeaders(mail)) };
}

/**
 * Header values built from what users typed (a name, a list or event title) lose their line breaks
 * and other control characters: no text can add a header line or break the subject.
 */
export function safeHeaders(mail: Mail): Mail {
  const oneLine = (v: string) =>
    v
      // eslint-disable-next-line no-control-regex -- header values lose control characters on purpose
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim();
  return { ...mail, to: oneLine(mail.to), subject: oneLine(mail.subject) };
}

function transport(opts: { smtpUrl?: string; from: string; outboxDir: string; logger: Logger }): Mailer {
  if (opts.smtpUrl) {
    // nodemailer is loaded with the first email: a server without SMTP_URL never needs it.
    let transport: Promise<{ sendMail(message: object): Promise<unknown> }> | undefined;
    const smtpUrl = opts.smtpUrl;
    return {
      async send(mail) {
        transport ??= import('nodemailer').then((m) => m.default.createTransport(smtpUrl));
        await (
          await transport
        ).sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
        opts.logger.info({ kind: mail.kind }, 'email sent');
      },
    };
  }
  let ready: Promise<unknown> | undefined;
  return {
    async send(mail) {
      ready ??= mkdir(opts.outboxDir, { recursive: true });
      await ready;
      const file = join(opts.outboxDir, `${Date.now()}-${mail.kind}-${randomBytes(4).toString('hex')}.json`);
      await writeFile(file, JSON.stringify({ ...mail, from: opts.from, sentAt: new Date().toISOString() }, null, 2));
      opts.logger.info({ kind: mail.kind, file }, 'email written to outbox');
    },
  };
}
