import type { Transporter } from 'nodemailer';
import { isLocalHost } from './imap.js';

export interface SmtpSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

/**
 * An SMTP transport (nodemailer, loaded on first use): TLS from the start, else STARTTLS required
 * unless the server is on this machine.
 */
export async function smtpTransport(
  s: SmtpSettings,
  timeoutMs: number,
  socketTimeoutMs = timeoutMs,
): Promise<Transporter> {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.tls,
    requireTLS: !s.tls && !isLocalHost(s.host),
    auth: { user: s.username, pass: s.password },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: socketTimeoutMs,
  });
}
