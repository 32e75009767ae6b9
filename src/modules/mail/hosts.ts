import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Config } from '../../shared/config.js';
import { InputError } from '../../shared/errors.js';

/** How Orbit treats a user's mail servers: untrusted hosts, bounded sizes, one deadline. */
export interface MailPolicy {
  /** Loopback, private, link-local and unique-local hosts (and plain text to them) are allowed. */
  allowPrivate: boolean;
  messageMaxBytes: number;
  /** Silence on a connection longer than this ends it. */
  timeoutMs: number;
}

export const mailPolicy = (config: Config): MailPolicy => ({
  allowPrivate: config.mailAllowPrivateHosts,
  messageMaxBytes: config.MAIL_MESSAGE_MAX_BYTES,
  timeoutMs: config.MAIL_CONNECT_TIMEOUT_MS,
});

/** The address a mail connection goes to: resolved once, checked, then used as is. */
export interface MailTarget {
  address: string;
  /** Plain text (no TLS) may be spoken to it: an allowed private host. */
  plainAllowed: boolean;
}

const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** Loopback, private, shared, link-local, unique-local, multicast or reserved: not a public host. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return NOT_PUBLIC.check(mapped[1]!, 'ipv4');
  return NOT_PUBLIC.check(address, 'ipv6');
}

/**
 * Resolves a mail host once and checks the address the connection will use (so a name cannot pass
 * the check and then resolve elsewhere): private addresses are refused unless allowed.
 */
export async function resolveMailHost(
  host: string,
  policy: MailPolicy,
  field: 'imapHost' | 'smtpHost' = 'imapHost',
): Promise<MailTarget> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let address = bare;
  if (isIP(bare) === 0) {
    try {
      address = (await lookup(bare, { verbatim: true })).address;
    } catch {
      throw connectProblem(field === 'imapHost' ? 'imap' : 'smtp');
    }
  }
  const isPrivate = isPrivateAddress(address);
  if (isPrivate && !policy.allowPrivate)
    throw new InputError({
      [field]: 'Mail servers on loopback or private networks are not allowed; use the provider’s public host',
    });
  return { address, plainAllowed: isPrivate && policy.allowPrivate };
}

/** The name TLS checks the certificate against: the host as the user gave it, unless it is an address. */
export function servernameOf(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 0 ? bare : undefined;
}

/**
 * Every failure to connect and sign in gets one and the same answer: whether the port was closed,
 * something else answered, TLS failed or the password was wrong is not told (connectMailAccount
 * must not map the server's network). The reason is logged by the caller.
 */
export function connectProblem(kind: 'imap' | 'smtp'): InputError {
  return kind === 'imap'
    ? new InputError({ imapHost: 'Could not sign in to the IMAP server with these settings' })
    : new InputError({ smtpHost: 'Could not sign in to the SMTP server with these settings' });
}
