import type { ImapFlow } from 'imapflow';
import { InputError } from '../../shared/errors.js';

export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

/** Loopback hosts: the only ones a password may reach without TLS. */
export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/**
 * An IMAP session with the account's settings; logs in or throws. Without `tls`, STARTTLS is
 * required unless the server is on this machine (a password never crosses a network in clear).
 * No IDLE, no logging of its own.
 */
export async function openImap(s: ImapSettings, timeoutMs: number): Promise<ImapFlow> {
  // Loaded on first use: a server whose users connect no mail never pays for it at start.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: s.host,
    port: s.port,
    secure: s.tls,
    doSTARTTLS: s.tls ? undefined : isLocalHost(s.host) ? undefined : true,
    auth: { user: s.username, pass: s.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 120_000),
  });
  // A socket error after connect must not become an unhandled 'error' event.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Closes a session, politely if it still answers. */
export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

/** Why a login failed, as a field error the user can act on (never the password itself). */
export function connectProblem(error: unknown, kind: 'imap' | 'smtp'): InputError {
  const e = error as { authenticationFailed?: boolean; code?: string; responseCode?: number; message?: string };
  const host = kind === 'imap' ? 'imapHost' : 'smtpHost';
  const tls = kind === 'imap' ? 'imapTls' : 'smtpTls';
  const server = kind === 'imap' ? 'IMAP' : 'SMTP';
  if (e.authenticationFailed || e.code === 'EAUTH' || e.responseCode === 535)
    return new InputError({ password: `The ${server} server refused the username or password` });
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new InputError({ [host]: `No such host` });
  if (e.code === 'ECONNREFUSED')
    return new InputError({ [host]: `The ${server} server refused the connection on that port` });
  if (
    e.code === 'ETIMEDOUT' ||
    e.code === 'CONNECT_TIMEOUT' ||
    e.code === 'GREETING_TIMEOUT' ||
    /timed? ?out/i.test(e.message ?? '')
  )
    return new InputError({ [host]: `The ${server} server did not answer in time` });
  if (/tls|ssl|certificate|wrong version number/i.test(`${e.code ?? ''} ${e.message ?? ''}`))
    return new InputError({ [tls]: `TLS with the ${server} server failed: ${(e.message ?? '').slice(0, 200)}` });
  return new InputError({
    [host]: `Could not connect to the ${server} server: ${(e.message ?? 'unknown error').slice(0, 200)}`,
  });
}
