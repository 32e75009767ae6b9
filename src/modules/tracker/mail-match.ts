import { and, eq, gte, inArray, or, sql } from 'drizzle-orm';
import { type Tx, execRows } from '../../db/client.js';
import {
  boardFormerKeys,
  boardMembers,
  ticketComments,
  ticketMail,
  ticketParticipants,
  tickets,
  users,
} from '../../db/schema/index.js';
import type { ParsedMail } from '../mail/index.js';
import type { BoardRow } from './board.type.js';
import type { InboxRow } from './inbox.type.js';
import type { TicketRow } from './ticket.type.js';

/** Mail a machine sent: an auto-reply never answers it (RFC 3834), and it never opens a bounce loop. */
export function isAutomated(m: ParsedMail): boolean {
  const a = m.automation;
  const local = m.from.address.slice(0, m.from.address.lastIndexOf('@'));
  return (
    (a.autoSubmitted !== null && a.autoSubmitted !== 'no') ||
    ['bulk', 'list', 'junk'].includes(a.precedence ?? '') ||
    a.listId !== null ||
    /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)$/i.test(local) ||
    m.report !== null
  );
}

export type Match = { ticket: TicketRow; by: 'PLUS_ADDRESS' | 'HEADERS' | 'SUBJECT_KEY' };

const ticketWhere = async (tx: Tx, where: ReturnType<typeof and>) => {
  const [row] = await tx.select().from(tickets).where(where).limit(1);
  return row ?? null;
};

/**
 * The ticket a message belongs to, in the contract's order: the plus-address token (PLUS_ADDRESS),
 * In-Reply-To/References against the ticket's Message-IDs, then [KEY-n] in the subject (current or
 * former key). The subject key counts only from someone the ticket knows (`known`).
 */
export async function matchTicket(tx: Tx, inbox: InboxRow, board: BoardRow, m: ParsedMail): Promise<Match | null> {
  if (inbox.replyAddressMode === 'PLUS_ADDRESS') {
    const at = inbox.address.lastIndexOf('@');
    const [local, domain] = [inbox.address.slice(0, at), inbox.address.slice(at + 1)];
    for (const r of [...m.to, ...m.cc]) {
      const hit = r.address.match(/^(.+)\+t-([0-9a-f]{16})@(.+)$/);
      if (hit && hit[1] === local && hit[3] === domain) {
        const ticket = await ticketWhere(tx, and(eq(tickets.boardId, board.id), eq(tickets.mailToken, hit[2]!)));
        if (ticket) return { ticket, by: 'PLUS_ADDRESS' };
      }
    }
  }
  const refs = [...new Set([...(m.inReplyTo ? [m.inReplyTo] : []), ...m.references])].slice(0, 100);
  if (refs.length) {
    const [hit] = await tx
      .select({ ticketId: ticketMail.ticketId })
      .from(ticketMail)
      .where(
        and(
          eq(ticketMail.boardId, board.id),
          inArray(ticketMail.messageId, refs),
          sql`${ticketMail.ticketId} is not null`,
        ),
      )
      .limit(1);
    const ticket = hit?.ticketId ? await ticketWhere(tx, eq(tickets.id, hit.ticketId)) : null;
    if (ticket) return { ticket, by: 'HEADERS' };
  }
  for (const [, key, n] of m.subject.matchAll(/\[([A-Z][A-Z0-9]{1,9})-(\d{1,9})\]/g)) {
    const former = await tx
      .select({ key: boardFormerKeys.key })
      .from(boardFormerKeys)
      .where(and(eq(boardFormerKeys.boardId, board.id), eq(boardFormerKeys.key, key!)));
    if (key !== board.key && former.length === 0) continue;
    const ticket = await ticketWhere(tx, and(eq(tickets.boardId, board.id), eq(tickets.number, Number(n))));
    if (ticket && (await knows(tx, ticket, m.from.address))) return { ticket, by: 'SUBJECT_KEY' };
  }
  return null;
}

/** Whether the address is the ticket's requester, one of its participants or a member of its board. */
export async function knows(tx: Tx, ticket: TicketRow, address: string): Promise<boolean> {
  if (ticket.requesterEmail === address) return true;
  const [hit] = await execRows(
    tx,
    sql`select 1 from ${ticketParticipants} where ${ticketParticipants.ticketId} = ${ticket.id} and ${ticketParticipants.email} = ${address}
        union all
        select 1 from ${boardMembers} join ${users} on ${users.id} = ${boardMembers.userId}
          where ${boardMembers.boardId} = ${ticket.boardId} and ${users.email} = ${address}
        limit 1`,
  );
  return hit !== undefined;
}

/** Whether the sender may open a ticket by mail under the inbox's acceptFrom. */
export async function mayOpen(tx: Tx, inbox: InboxRow, address: string): Promise<boolean> {
  if (inbox.acceptFrom === 'ANYONE') return true;
  if (inbox.acceptFrom === 'ALLOWED_DOMAINS')
    return inbox.allowedDomains.includes(address.slice(address.lastIndexOf('@') + 1));
  const [known] = await tx
    .select({ id: tickets.id })
    .from(tickets)
    .leftJoin(ticketParticipants, eq(ticketParticipants.ticketId, tickets.id))
    .where(
      and(
        eq(tickets.boardId, inbox.boardId),
        or(eq(tickets.requesterEmail, address), eq(ticketParticipants.email, address)),
      ),
    )
    .limit(1);
  return known !== undefined;
}

/** Tickets the sender opened by mail on the board in the last hour. */
export async function openedLastHour(tx: Tx, boardId: string, address: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(
      and(
        eq(tickets.boardId, boardId),
        eq(tickets.channel, 'EMAIL'),
        eq(tickets.requesterEmail, address),
        gte(tickets.createdAt, sql`now() - interval '1 hour'`),
      ),
    );
  return Number(row?.n ?? 0);
}

/**
 * A bounce of mail a ticket sent: the comment it carried is FAILED with the report's reason.
 * Returns whether one was found.
 */
export async function markBounced(tx: Tx, boardId: string, m: ParsedMail): Promise<boolean> {
  const ids = [m.report?.messageId, m.inReplyTo, ...m.references].filter((x): x is string => !!x);
  if (!ids.length) return false;
  const reason =
    [m.report?.status, m.report?.diagnostic].filter(Boolean).join(' ') || 'the recipient’s server returned it';
  const failed = await tx
    .update(ticketComments)
    .set({ deliveryStatus: 'FAILED', deliveryError: `Bounced: ${reason}`.slice(0, 500) })
    .where(
      and(
        inArray(ticketComments.messageId, ids),
        sql`${ticketComments.ticketId} in (select id from ${tickets} where board_id = ${boardId})`,
      ),
    )
    .returning({ id: ticketComments.id, ticketId: ticketComments.ticketId });
  return failed.length > 0;
}
