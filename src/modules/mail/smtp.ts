import type { Transporter } from 'nodemailer';
import { type MailPolicy, type MailTarget, resolveMailHost, servernameOf } from './hosts.js';

export interface SmtpSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

/**
 * An SMTP transport (nodemailer, loaded on first use) to the host's address resolved and checked
 * once: TLS from the start, else STARTTLS required unless the host is an allowed private one.
 */
export async function smtpTransport(
  s: SmtpSettings,
  policy: MailPolicy,
  socketTimeoutMs = policy.timeoutMs,
  target?: MailTarget,
): Promise<Transporter> {
  const to = target ?? (await resolveMailHost(s.host, policy, 'smtpHost'));
  const { default: nodemailer } = await import('nodemailer');
  const servername = servernameOf(s.host);
  return nodemailer.createTransport({
    host: to.address,
    port: s.port,
    secure: s.tls,
    requireTLS: !s.tls && !to.plainAllowed,
    ...(servername ? { tls: { servername } } : {}),
    auth: { user: s.username, pass: s.password },
    connectionTimeout: policy.timeoutMs,
    greetingTimeout: policy.timeoutMs,
    socketTimeout: socketTimeoutMs,
  });
}
