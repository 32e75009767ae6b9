import type { ImapFlow } from 'imapflow';
import { type MailPolicy, type MailTarget, resolveMailHost, servernameOf } from './hosts.js';

export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
}

/** What an IMAP server may send in one piece: a message of MAIL_MESSAGE_MAX_BYTES and its framing. */
export function imapLimits(messageMaxBytes: number) {
  const literal = messageMaxBytes + 64 * 1024;
  return { maxLiteralSize: literal, maxResponseSize: 2 * literal, maxLineLength: 8 * 1024 * 1024 };
}

/**
 * An IMAP session with the account's settings; logs in or throws. The host is resolved once and
 * checked (mail hosts on private networks only where allowed); the connection goes to that address.
 * Without `tls`, STARTTLS is required unless the host is an allowed private one. The whole of
 * connect, greeting and login runs before `signal` aborts (the caller's deadline or request): then
 * the socket is closed and the call fails. No IDLE, no logging of its own.
 */
export async function openImap(
  s: ImapSettings,
  policy: MailPolicy,
  signal: AbortSignal,
  target?: MailTarget,
): Promise<ImapFlow> {
  signal.throwIfAborted();
  const to = target ?? (await resolveMailHost(s.host, policy));
  // Loaded on first use: a server whose users connect no mail never pays for it at start.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: to.address,
    port: s.port,
    secure: s.tls,
    servername: servernameOf(s.host),
    doSTARTTLS: s.tls ? undefined : to.plainAllowed ? undefined : true,
    auth: { user: s.username, pass: s.password },
    logger: false,
    disableAutoIdle: true,
    ...imapLimits(policy.messageMaxBytes),
    // The deadline is the caller's; these only end a connection that went silent.
    connectionTimeout: policy.timeoutMs,
    greetingTimeout: policy.timeoutMs,
    socketTimeout: Math.max(policy.timeoutMs, 120_000),
  });
  // A socket error after connect must not become an unhandled 'error' event.
  client.on('error', () => {});
  const stop = () => client.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await untilAborted(client.connect(), signal);
  } catch (error) {
    client.close();
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return client;
}

/** The work, or the signal's reason as soon as it aborts (the work's own promise is left to settle). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work was started already: its own failure (a closed connection) must not go unhandled.
    work.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Closes a session, politely if it still answers. */
export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    await untilAborted(client.logout(), AbortSignal.timeout(5_000));
  } catch {
    client.close();
  }
}
