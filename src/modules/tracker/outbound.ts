import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { emailDrafts, ticketInboxes, ticketMail, ticketParticipants } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { identifierOf } from './board-rules.js';
import type { BoardRow } from './board.type.js';
import type { Outbound } from './comment.service.js';
import { inboxesWhere } from './inbox.service.js';
import type { InboxRow } from './inbox.type.js';
import type { TicketRow } from './ticket.type.js';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
/** local+t-<token>@domain: the reply address of one ticket in PLUS_ADDRESS mode. */
export const plusAddress = (inbox: Pick<InboxRow, 'address'>, token: string) => {
  const at = inbox.address.lastIndexOf('@');
  return `${inbox.address.slice(0, at)}+t-${token}@${inbox.address.slice(at + 1)}`;
};

/** The board's enabled inbox replies go out through (the first connected). */
export async function replyInbox(tx: Tx, boardId: string): Promise<InboxRow | null> {
  const [inbox] = await inboxesWhere(tx, and(eq(ticketInboxes.boardId, boardId), eq(ticketInboxes.enabled, true))!)
    .orderBy(asc(ticketInboxes.createdAt))
    .limit(1);
  return inbox ?? null;
}

/** Counts one mail against the inbox's hourly limit; false when the hour's mail is used up. */
export async function takeSendSlot(app: App, tx: Tx, inboxId: string): Promise<boolean> {
  const [row] = await new RateLimiter(tx).count([`inbox-send:${inboxId}`], 3_600);
  return !row || row.count <= app.config.TICKET_INBOX_SEND_LIMIT;
}

export interface OutgoingMail {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  replyTo: string | null;
  headers: Record<string, string> | null;
}

/**
 * Queues one mail through the inbox's account (the `mail-send` job, retried; the draft is Orbit's,
 * never listed among the user's drafts), threaded under the ticket's messages. Returns the draft id
 * and the fixed Message-ID, recorded as the ticket's, so replies to it find the ticket.
 */
export async function queueTicketMail(app: App, tx: Tx, inbox: InboxRow, ticket: TicketRow, mail: OutgoingMail) {
  const thread = await tx
    .select({ messageId: ticketMail.messageId, outbound: ticketMail.outbound })
    .from(ticketMail)
    .where(eq(ticketMail.ticketId, ticket.id))
    .orderBy(desc(ticketMail.createdAt))
    .limit(20);
  const lastIn = thread.find((m) => !m.outbound)?.messageId ?? thread[0]?.messageId ?? null;
  const messageId = `<${randomUUID()}@${domainOf(inbox.address)}>`;
  const [draft] = await tx
    .insert(emailDrafts)
    .values({
      accountId: inbox.mailAccountId,
      userId: inbox.connectedById,
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject,
      text: mail.text,
      status: 'QUEUED',
      messageIdHeader: messageId,
      purpose: 'ticket',
      inReplyToHeader: lastIn,
      referencesHeader: thread.length ? thread.map((m) => m.messageId).reverse() : null,
      replyTo: mail.replyTo,
      headers: mail.headers,
    })
    .returning({ id: emailDrafts.id });
  await tx
    .insert(ticketMail)
    .values({ inboxId: inbox.id, messageId, boardId: ticket.boardId, ticketId: ticket.id, outbound: true });
  await app.jobs.send(tx, 'mail-send', `mail-send:${draft!.id}`, { draftId: draft!.id }, inbox.connectedById);
  return { draftId: draft!.id, messageId };
}

/**
 * The Outbound of comments: a PUBLIC member comment on a ticket with a requester, on a board with an
 * enabled inbox, is mailed to the requester with the participants in Cc, as "Re: <title> [KEY-n]".
 * Over the inbox's hourly limit it is not sent: the comment says FAILED with the reason.
 */
export function mailOutbound(app: App): Outbound {
  return async (tx: Tx, board: BoardRow, ticket: TicketRow, comment) => {
    if (!ticket.requesterEmail) return null;
    const inbox = await replyInbox(tx, board.id);
    if (!inbox) return null;
    if (!(await takeSendSlot(app, tx, inbox.id)))
      return { deliveryStatus: 'FAILED', deliveryError: 'Not sent: the inbox reached its hourly sending limit' };
    const cc = await tx
      .select({ email: ticketParticipants.email })
      .from(ticketParticipants)
      .where(eq(ticketParticipants.ticketId, ticket.id));
    const { draftId, messageId } = await queueTicketMail(app, tx, inbox, ticket, {
      to: [ticket.requesterEmail],
      cc: cc.map((c) => c.email).filter((e) => e !== ticket.requesterEmail),
      subject: `Re: ${ticket.title} [${identifierOf(board.key, ticket)}]`,
      text: comment.body,
      replyTo:
        inbox.replyAddressMode === 'PLUS_ADDRESS' && ticket.mailToken ? plusAddress(inbox, ticket.mailToken) : null,
      headers: null,
    });
    return { deliveryStatus: 'QUEUED', draftId, messageId };
  };
}
