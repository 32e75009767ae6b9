import type { MailAddressValue } from '../../db/schema/index.js';

export interface ParsedMail {
  subject: string;
  from: MailAddressValue;
  to: MailAddressValue[];
  cc: MailAddressValue[];
  sentAt: Date | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  text: string | null;
  html: string | null;
  snippet: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Parts of the MIME did not parse: what did is kept. */
  partial: boolean;
  /** What says whether a machine sent it (auto-replies, lists, bounces), lower-cased; absent: null. */
  automation: { autoSubmitted: string | null; precedence: string | null; listId: string | null };
  /** A delivery status report (a bounce): the Message-ID it reports on, and why. */
  report: { messageId: string | null; status: string | null; diagnostic: string | null } | null;
}

/** The envelope IMAP gives with a message: the fallback when its MIME does not parse. */
export interface Envelope {
  subject?: string;
  from?: Array<{ name?: string; address?: string }>;
  to?: Array<{ name?: string; address?: string }>;
  cc?: Array<{ name?: string; address?: string }>;
  date?: Date;
  messageId?: string;
  inReplyTo?: string;
}

const ids = (value: string | undefined | null) => (value ?? '').match(/<[^<>\s]+>/g) ?? [];
const address = (a: { name?: string; address?: string } | undefined): MailAddressValue | null =>
  a?.address ? { name: a.name?.trim() || null, address: a.address.toLowerCase() } : null;
const addresses = (
  list: Array<{ name?: string; address?: string; group?: unknown[] }> | undefined,
): MailAddressValue[] =>
  (list ?? []).flatMap((a) =>
    Array.isArray(a.group)
      ? addresses(a.group as Array<{ name?: string; address?: string }>)
      : [address(a)].filter((x): x is MailAddressValue => x !== null),
  );

/** Plain text from HTML, for snippets and search when a message has no text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function snippetOf(text: string | null, html: string | null): string {
  const plain = (text ?? (html ? htmlToText(html) : '')).replace(/\s+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 197)}…` : plain;
}

/**
 * A header's date as an instant Orbit stores (years 1000 to 9999, as every instant), or null: spam
 * and broken mailers write dates that are not dates, or that PostgreSQL cannot hold.
 */
export function instant(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  const year = date.getUTCFullYear();
  return Number.isFinite(date.getTime()) && year >= 1000 && year <= 9999 ? date : null;
}

/** Parses a raw message with postal-mime; when that fails, keeps what the envelope says. */
export async function parseMail(source: Buffer, envelope: Envelope | undefined): Promise<ParsedMail> {
  try {
    // Bounded: deeper nesting or larger headers than these are a message that does not parse.
    const { default: PostalMime } = await import('postal-mime');
    const m = await PostalMime.parse(source, {
      attachmentEncoding: 'arraybuffer',
      maxNestingDepth: 20,
      maxHeadersSize: 256 * 1024,
    });
    const text = m.text ?? null;
    const html = m.html ?? null;
    return {
      subject: (m.subject ?? envelope?.subject ?? '').trim() || '(no subject)',
      from: address(m.from) ?? address(envelope?.from?.[0]) ?? { name: null, address: 'unknown@invalid' },
      to: addresses(m.to),
      cc: addresses(m.cc),
      sentAt: instant(m.date) ?? instant(envelope?.date),
      messageId: ids(m.messageId)[0] ?? null,
      inReplyTo: ids(m.inReplyTo)[0] ?? null,
      references: ids(m.references),
      text,
      html,
      snippet: snippetOf(text, html),
      attachments: m.attachments.map((a) => ({
        filename: a.filename || 'attachment',
        contentType: a.mimeType || 'application/octet-stream',
        content: Buffer.from(a.content as ArrayBuffer),
      })),
      partial: false,
      automation: automationOf(m.headers),
      report: reportOf(m.headers, m.attachments),
    };
  } catch {
    return {
      subject: envelope?.subject?.trim() || '(no subject)',
      from: address(envelope?.from?.[0]) ?? { name: null, address: 'unknown@invalid' },
      to: addresses(envelope?.to),
      cc: addresses(envelope?.cc),
      sentAt: instant(envelope?.date),
      messageId: ids(envelope?.messageId)[0] ?? null,
      inReplyTo: ids(envelope?.inReplyTo)[0] ?? null,
      references: [],
      text: null,
      html: null,
      snippet: '',
      attachments: [],
      partial: true,
      automation: { autoSubmitted: null, precedence: null, listId: null },
      report: null,
    };
  }
}

type Header = { key: string; value: string };
const header = (headers: Header[], key: string) =>
  headers
    .find((h) => h.key === key)
    ?.value.trim()
    .toLowerCase() || null;

function automationOf(headers: Header[]): ParsedMail['automation'] {
  return {
    autoSubmitted: header(headers, 'auto-submitted'),
    precedence: header(headers, 'precedence'),
    listId: header(headers, 'list-id'),
  };
}

/**
 * A multipart/report of delivery status (RFC 3464): the original's Message-ID from its returned
 * headers (text/rfc822-headers or message/rfc822), with the Status and Diagnostic-Code fields.
 */
function reportOf(headers: Header[], parts: Array<{ mimeType: string; content: unknown }>): ParsedMail['report'] {
  const type = header(headers, 'content-type') ?? '';
  const status = parts.find((p) => p.mimeType === 'message/delivery-status');
  if (!type.startsWith('multipart/report') && !status) return null;
  const text = (p: { content: unknown } | undefined) =>
    p ? Buffer.from(p.content as ArrayBuffer).toString('utf8', 0, 64 * 1024) : '';
  const original = parts.find((p) => p.mimeType === 'text/rfc822-headers' || p.mimeType === 'message/rfc822');
  const field = (body: string, name: string) =>
    body
      .match(new RegExp(`^${name}:[ \t]*(.+(?:\r?\n[ \t].+)*)`, 'im'))?.[1]
      ?.replace(/\s+/g, ' ')
      .trim() ?? null;
  const returned = text(original);
  const report = text(status);
  return {
    messageId: ids(field(returned, 'Message-ID'))[0] ?? null,
    status: field(report, 'Status'),
    diagnostic: field(report, 'Diagnostic-Code'),
  };
}
