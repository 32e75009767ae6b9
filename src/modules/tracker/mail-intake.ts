import { and, eq, sql } from 'drizzle-orm';
import EmailReplyParser from 'email-reply-parser';
import type { Tx } from '../../db/client.js';
import { boards, ticketInboxes, ticketMail, ticketParticipants, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { type MailHooks, type ParsedMail, type StoredMail, htmlToText } from '../mail/index.js';
import { createNotifications } from '../notifications/index.js';
import { identifierOf } from './board-rules.js';
import type { BoardRow } from './board.type.js';
import { inboxesWhere } from './inbox.service.js';
import type { InboxRow } from './inbox.type.js';
import { isAutomated, knows, markBounced, matchTicket, mayOpen, openedLastHour } from './mail-match.js';
import { queueTicketMail, takeSendSlot } from './outbound.js';
import { requesterReply } from './public-ticket.service.js';
import { insertTicket } from './ticket-intake.js';
import { BODY_MAX, MAX_PARTICIPANTS, TITLE_MAX } from './ticket-rules.js';
import { TicketChannel, type TicketRow, TriageStatus } from './ticket.type.js';

/** New tickets one sender may open by mail per inbox per hour. */
export const SENDER_HOURLY_TICKETS = 10;
const AUTO_REPLY_WINDOW_S = 600;
const parser = new EmailReplyParser();

/** Text of an HTML body with its block boundaries kept as line breaks (quote markers and "wrote:" lines stay lines). */
function htmlLines(html: string): string {
  const blocks = html
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, '\n')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h\d)\b[^>]*>/gi, '\n');
  return blocks
    .split('\n')
    .map((line) => htmlToText(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The reply without quoted history or signature; the whole text when nothing else is left. */
export function replyText(m: ParsedMail): string {
  // HTML-only mail: its text, a line per block, so quoted history can still be cut.
  const plain = m.text ?? (m.html ? htmlLines(m.html) : '');
  const text = plain.replace(/\r\n/g, '\n');
  const cut = parser.parseReply(text).trim();
  return (cut || text.trim() || m.snippet || '(no text)').slice(0, BODY_MAX);
}

/** The tracker's hooks into the mail sync: INBOX mail of a connected account becomes tickets and comments. */
export function ticketMailHooks(app: App): MailHooks {
  return {
    stored: (tx, stored) => ingest(app, tx, stored),
    settled: (tx, accountId, error) => settle(tx, accountId, error),
  };
}

/**
 * One stored INBOX message: counted once per Message-ID, ignored when it is Orbit's own or older
 * than the inbox; a bounce fails the comment it returns; else it joins its ticket or opens one.
 * Returns a note for the sync's log when it was held back (a sender over the hourly limit).
 */
async function ingest(app: App, tx: Tx, s: StoredMail): Promise<string | null> {
  const [inbox] = await inboxesWhere(tx, eq(ticketInboxes.mailAccountId, s.accountId));
  // IMAP's INTERNALDATE has whole seconds: mail of the second the inbox was connected counts.
  if (!inbox?.enabled || s.receivedAt.getTime() < Math.floor(inbox.ingestSince.getTime() / 1000) * 1000) return null;
  const m = s.mail;
  const messageId = m.messageId ?? `<orbit-email-${s.emailId}@invalid>`;
  const fresh = await tx
    .insert(ticketMail)
    .values({ inboxId: inbox.id, messageId, boardId: inbox.boardId })
    .onConflictDoNothing()
    .returning({ messageId: ticketMail.messageId });
  // Seen before (a re-sync), or Orbit's own outbound message (recorded when it was queued).
  if (fresh.length === 0 || m.from.address === inbox.address) return null;
  const [board] = await tx.select().from(boards).where(eq(boards.id, inbox.boardId)).for('update');
  if (!board) return null;
  if (m.report || /^(mailer-daemon|postmaster)@/i.test(m.from.address)) {
    await markBounced(tx, board.id, m);
    return null;
  }
  const routed = await route(app, tx, { inbox, board, m, s, messageId });
  if (typeof routed === 'string') return routed;
  if (routed)
    await tx
      .update(ticketMail)
      .set({ ticketId: routed.id })
      .where(and(eq(ticketMail.inboxId, inbox.id), eq(ticketMail.messageId, messageId)));
  await tx
    .update(ticketInboxes)
    .set({ lastIngestedAt: sql`now()` })
    .where(eq(ticketInboxes.id, inbox.id));
  return null;
}

interface Arrival {
  inbox: InboxRow;
  board: BoardRow;
  m: ParsedMail;
  s: StoredMail;
  messageId: string;
}

/**
 * A comment on the ticket the message belongs to (a duplicate's original), or a new ticket: when
 * none matches, when a stranger writes on a known thread (related to it), or when a closed ticket
 * is answered under NEW_TICKET (related to it).
 */
async function route(app: App, tx: Tx, a: Arrival): Promise<TicketRow | string | null> {
  const { inbox, board, m, s } = a;
  const sender = m.from.address;
  const match = await matchTicket(tx, inbox, board, m);
  if (!match) return open(app, tx, a, null);
  let ticket = match.ticket;
  if (ticket.triageStatus === TriageStatus.DUPLICATE && ticket.duplicateOfId) {
    const [original] = await tx.select().from(tickets).where(eq(tickets.id, ticket.duplicateOfId));
    if (original) ticket = original;
  }
  const closed = (ticket.completedAt ?? ticket.canceledAt) !== null;
  if (!(await knows(tx, ticket, sender)) || (closed && inbox.closedReplyPolicy === 'NEW_TICKET'))
    return open(app, tx, a, ticket.id);
  const words = {
    body: replyText(m),
    email: sender,
    name: m.from.name,
    channel: TicketChannel.EMAIL,
    emailId: s.emailId,
    messageId: a.messageId,
  };
  await requesterReply(tx, board, ticket, words);
  await tx
    .update(ticketInboxes)
    .set({ commentsCreated: sql`${ticketInboxes.commentsCreated} + 1` })
    .where(eq(ticketInboxes.id, inbox.id));
  return ticket;
}

async function open(
  app: App,
  tx: Tx,
  { inbox, board, m, s }: Arrival,
  relatedToId: string | null,
): Promise<TicketRow | string | null> {
  const sender = m.from.address;
  if (!(await mayOpen(tx, inbox, sender))) return null;
  if ((await openedLastHour(tx, board.id, sender)) >= SENDER_HOURLY_TICKETS)
    return `${sender} opened ${SENDER_HOURLY_TICKETS} tickets in the last hour: later mail from them was not turned into tickets`;
  const subject = m.subject.replace(/^(\s*(re|fw|fwd|aw|sv)\s*:\s*)+/i, '').trim() || '(no subject)';
  const ticket = await insertTicket(
    tx,
    board,
    {
      title: subject.slice(0, TITLE_MAX),
      description: replyText(m),
      standby: board.triageEnabled,
      requester: { email: sender, name: m.from.name },
      channel: TicketChannel.EMAIL,
      createdById: null,
      external: true,
      emailId: s.emailId,
      relatedToId,
    },
    null,
  );
  const copied = [...new Set([...m.to, ...m.cc].map((a) => a.address))]
    .filter((a) => a !== sender && a !== inbox.address && !a.startsWith(`${inbox.address.split('@')[0]}+`))
    .slice(0, MAX_PARTICIPANTS);
  if (copied.length)
    await tx
      .insert(ticketParticipants)
      .values(
        copied.map((email) => ({
          ticketId: ticket.id,
          email,
          name: [...m.to, ...m.cc].find((a) => a.address === email)?.name ?? null,
        })),
      )
      .onConflictDoNothing();
  await tx
    .update(ticketInboxes)
    .set({ ticketsCreated: sql`${ticketInboxes.ticketsCreated} + 1` })
    .where(eq(ticketInboxes.id, inbox.id));
  await autoReply(app, tx, inbox, board, ticket, m);
  return ticket;
}

/** Once per new ticket, never to automated mail, at most once per address per 10 minutes. */
async function autoReply(app: App, tx: Tx, inbox: InboxRow, board: BoardRow, ticket: TicketRow, m: ParsedMail) {
  if (!inbox.autoReplyEnabled || isAutomated(m)) return;
  const [recent] = await new RateLimiter(tx).count([`auto-reply:${inbox.id}:${m.from.address}`], AUTO_REPLY_WINDOW_S);
  if (recent && recent.count > 1) return;
  if (!(await takeSendSlot(app, tx, inbox.id))) return;
  const identifier = identifierOf(board.key, ticket);
  await queueTicketMail(app, tx, inbox, ticket, {
    to: [m.from.address],
    cc: [],
    subject: `[${identifier}] ${ticket.title}`,
    text: inbox.autoReplyText ?? `We received your message and opened ${identifier}. We will answer soon.`,
    replyTo: null,
    headers: { 'Auto-Submitted': 'auto-replied' },
  });
}

/** The connector hears once when their inbox stops ingesting (its account's sync failed); success clears it. */
async function settle(tx: Tx, accountId: string, error: string | null): Promise<void> {
  const [inbox] = await inboxesWhere(tx, eq(ticketInboxes.mailAccountId, accountId));
  if (!inbox) return;
  await tx.update(ticketInboxes).set({ lastError: error }).where(eq(ticketInboxes.id, inbox.id));
  if (error && inbox.lastError === null)
    await createNotifications(tx, [
      {
        userId: inbox.connectedById,
        kind: 'TICKET_INBOX_FAILED',
        title: `The ticket inbox ${inbox.address} stopped taking mail`,
        body: error,
        entityType: 'ticket_inbox',
        entityId: inbox.id,
      },
    ]);
}
