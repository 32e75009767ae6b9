import { and, asc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardStates, boards, publicTicketTokens, ticketComments, tickets, users } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { NotFoundError } from '../../shared/errors.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { createNotifications } from '../notifications/index.js';
import { announce, identifierOf, stateOf } from './board-rules.js';
import type { BoardRow } from './board.type.js';
import { checkBody } from './comment.service.js';
import { sha256 } from './public-form.service.js';
import { PublicTicketStatus, type PublicTicketView } from './public-form.type.js';
import { bottomRank } from './ranks.js';
import { published } from './ticket-intake.js';
import { touched } from './ticket-rules.js';
import { CommentVisibility, TicketChannel, type TicketRow, TriageStatus } from './ticket.type.js';

const LINK_DAYS_AFTER_CLOSE = 30;

/** What a requester sees of a status. */
export function publicStatus(ticket: TicketRow, category: string | null): PublicTicketStatus {
  if (ticket.triageStatus === TriageStatus.DECLINED || ticket.triageStatus === TriageStatus.DUPLICATE)
    return PublicTicketStatus.CLOSED;
  if (category === 'STARTED') return PublicTicketStatus.IN_PROGRESS;
  if (category === 'COMPLETED') return PublicTicketStatus.RESOLVED;
  if (category === 'CANCELED') return PublicTicketStatus.CLOSED;
  return PublicTicketStatus.OPEN;
}

/** Requesters follow and answer their ticket through the private link mailed to them. */
export class PublicTicketService {
  private readonly limits: RateLimiter;

  constructor(private readonly app: App) {
    this.limits = new RateLimiter(app.db);
  }

  async view(token: string, clientIp: string): Promise<PublicTicketView> {
    const seen = await this.peek(token, clientIp);
    if (!seen.view) throw new NotFoundError('Ticket');
    return seen.view;
  }

  /** The view of a confirmed ticket, or only that the link waits for its confirmation (the HTML page asks). */
  async peek(token: string, clientIp: string): Promise<{ view: PublicTicketView | null }> {
    await this.limits.hit(`public-ticket:${clientIp}`, { limit: this.app.config.PUBLIC_TICKET_IP_LIMIT, seconds: 600 });
    const { ticket, board } = await this.resolve(this.app.db, token);
    return { view: ticket.confirmed ? await this.render(ticket, board) : null };
  }

  /** Confirms a form submission (once; later calls only show it): the ticket joins the queue or the board. */
  async confirm(token: string, clientIp: string): Promise<PublicTicketView> {
    await this.limits.hit(`public-ticket:${clientIp}`, { limit: this.app.config.PUBLIC_TICKET_IP_LIMIT, seconds: 600 });
    const { ticket, board } = await this.app.db.transaction(async (tx) => {
      const found = await this.resolve(tx, token, true);
      if (found.ticket.confirmed) return found;
      const [row] = await tx
        .update(tickets)
        .set({ confirmed: true, ...touched() })
        .where(eq(tickets.id, found.ticket.id))
        .returning();
      await published(tx, found.board, row!, null);
      return { ticket: row!, board: found.board };
    });
    return this.render(ticket, board);
  }

  /**
   * The requester answers: a PUBLIC comment from them. A snoozed ticket wakes; a resolved or closed
   * one opens again in the default state; a duplicate's answer goes to its original.
   */
  async reply(token: string, rawBody: string, clientIp: string): Promise<PublicTicketView> {
    await this.limits.hit(`public-ticket:${clientIp}`, { limit: this.app.config.PUBLIC_TICKET_IP_LIMIT, seconds: 600 });
    const body = checkBody(rawBody);
    const { ticket, board } = await this.app.db.transaction(async (tx) => {
      const found = await this.resolve(tx, token, true);
      if (!found.ticket.confirmed) throw new NotFoundError('Ticket');
      const [email] = await tx
        .select({ email: publicTicketTokens.email })
        .from(publicTicketTokens)
        .where(eq(publicTicketTokens.tokenHash, sha256(token)));
      let target = found.ticket;
      if (target.triageStatus === TriageStatus.DUPLICATE && target.duplicateOfId) {
        const [original] = await tx.select().from(tickets).where(eq(tickets.id, target.duplicateOfId));
        if (original) target = original;
      }
      await requesterReply(tx, found.board, target, {
        body,
        email: email!.email,
        name: email!.email === target.requesterEmail ? target.requesterName : null,
        channel: TicketChannel.PUBLIC_FORM,
        emailId: null,
        messageId: null,
      });
      const [fresh] = await tx.select().from(tickets).where(eq(tickets.id, found.ticket.id));
      return { ticket: fresh!, board: found.board };
    });
    return this.render(ticket, board);
  }

  /** The ticket and board of a link; an unknown link, or one 30 days past the close, is NOT_FOUND. */
  private async resolve(
    q: Tx | App['db'],
    token: string,
    lock = false,
  ): Promise<{ ticket: TicketRow; board: BoardRow }> {
    if (token.length > 200) throw new NotFoundError('Ticket');
    const [link] = await q
      .select({ ticketId: publicTicketTokens.ticketId, boardId: tickets.boardId })
      .from(publicTicketTokens)
      .innerJoin(tickets, eq(tickets.id, publicTicketTokens.ticketId))
      .where(eq(publicTicketTokens.tokenHash, sha256(token)));
    if (!link) throw new NotFoundError('Ticket');
    const boardQuery = q.select().from(boards).where(eq(boards.id, link.boardId));
    const [board] = lock ? await boardQuery.for('update') : await boardQuery;
    const [ticket] = await q
      .select()
      .from(tickets)
      .where(
        and(
          eq(tickets.id, link.ticketId),
          sql`coalesce(${tickets.completedAt}, ${tickets.canceledAt}, 'infinity') > now() - make_interval(days => ${LINK_DAYS_AFTER_CLOSE})`,
        ),
      );
    if (!ticket || !board) throw new NotFoundError('Ticket');
    return { ticket, board };
  }

  private async render(ticket: TicketRow, board: BoardRow): Promise<PublicTicketView> {
    const db = this.app.db;
    const [state] = ticket.stateId
      ? await db.select({ category: boardStates.category }).from(boardStates).where(eq(boardStates.id, ticket.stateId))
      : [];
    const comments = await db
      .select({
        body: ticketComments.body,
        authorId: ticketComments.authorId,
        requesterName: ticketComments.requesterName,
        memberName: sql<string | null>`coalesce(${users.name}, ${users.username})`,
        createdAt: ticketComments.createdAt,
      })
      .from(ticketComments)
      .leftJoin(users, eq(users.id, ticketComments.authorId))
      .where(and(eq(ticketComments.ticketId, ticket.id), eq(ticketComments.visibility, 'PUBLIC')))
      .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id))
      .limit(500);
    return {
      identifier: identifierOf(board.key, ticket),
      title: ticket.title,
      status: publicStatus(ticket, state?.category ?? null),
      createdAt: ticket.createdAt,
      comments: comments.map((c) => ({
        body: c.body,
        fromRequester: c.authorId === null,
        authorName: c.authorId === null ? c.requesterName : c.memberName,
        createdAt: c.createdAt,
      })),
    };
  }
}

export interface RequesterWords {
  body: string;
  email: string;
  name: string | null;
  channel: TicketChannel;
  emailId: string | null;
  messageId: string | null;
}

/**
 * A requester's or participant's answer on a ticket (the board locked): the comment, the wake-up of
 * a snoozed ticket, the reopening of a closed one (unless `reopen` is false), TICKET_REPLIED to the
 * assignee and the board event, in the caller's transaction.
 */
export async function requesterReply(tx: Tx, board: BoardRow, ticket: TicketRow, words: RequesterWords, reopen = true) {
  const [comment] = await tx
    .insert(ticketComments)
    .values({
      ticketId: ticket.id,
      body: words.body,
      visibility: CommentVisibility.PUBLIC,
      channel: words.channel,
      requesterEmail: words.email,
      requesterName: words.name,
      emailId: words.emailId,
      messageId: words.messageId,
    })
    .returning();
  const changes: Partial<typeof tickets.$inferInsert> = touched();
  if (ticket.triageStatus === TriageStatus.SNOOZED)
    Object.assign(changes, { triageStatus: TriageStatus.PENDING, snoozedUntil: null });
  const closed = (ticket.completedAt ?? ticket.canceledAt) !== null && ticket.triageStatus !== TriageStatus.DUPLICATE;
  if (reopen && closed) {
    const state = await stateOf(tx, board.id, board.defaultStateId!);
    const wasDeclined = ticket.triageStatus === TriageStatus.DECLINED;
    Object.assign(changes, {
      stateId: wasDeclined && board.triageEnabled ? null : state.id,
      triageStatus: wasDeclined ? (board.triageEnabled ? TriageStatus.PENDING : null) : ticket.triageStatus,
      rank: wasDeclined && board.triageEnabled ? '' : await bottomRank(tx, state.id, ticket.id),
      completedAt: null,
      canceledAt: null,
    });
  }
  await tx.update(tickets).set(changes).where(eq(tickets.id, ticket.id));
  if (ticket.assigneeId)
    await createNotifications(tx, [
      {
        userId: ticket.assigneeId,
        kind: 'TICKET_REPLIED',
        title: `${words.name ?? words.email} replied on ${identifierOf(board.key, ticket)}`,
        body: words.body.slice(0, 200),
        entityType: 'ticket',
        entityId: ticket.id,
      },
    ]);
  await announce(tx, board.id, 'COMMENT_ADDED', { ticketId: ticket.id, commentId: comment!.id, actorId: null });
  return comment!;
}
