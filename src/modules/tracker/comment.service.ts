import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardMembers, ticketComments, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ForbiddenError, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireTicket } from './board-access.js';
import { announce, identifierOf } from './board-rules.js';
import { BoardRole, type BoardRow } from './board.type.js';
import { BODY_MAX } from './ticket-rules.js';
import { CommentVisibility, TicketChannel, type TicketCommentRow, type TicketRow } from './ticket.type.js';
import type { TicketCommentInput } from './tracker.inputs.js';

export function checkBody(body: string, field = 'body'): string {
  const text = body.trim();
  if (text.length < 1 || text.length > BODY_MAX) throw new InputError({ [field]: `Must be 1-${BODY_MAX} characters` });
  return text;
}

/**
 * Hands a PUBLIC member comment to the outbound mail (when the ticket has a requester and the board
 * an enabled inbox): what to record on the comment (QUEUED with its mail, or FAILED with why), or
 * null when nothing is sent.
 */
export type Outbound = (
  tx: Tx,
  board: BoardRow,
  ticket: TicketRow,
  comment: TicketCommentRow,
) => Promise<Partial<typeof ticketComments.$inferInsert> | null>;

/** A member's comment, in the caller's transaction (the board locked): first response, activity, event. */
export async function insertMemberComment(
  tx: Tx,
  board: BoardRow,
  ticket: TicketRow,
  authorId: string,
  input: { body: string; visibility: CommentVisibility; channel?: TicketChannel },
  outbound: Outbound,
): Promise<TicketCommentRow> {
  const [comment] = await tx
    .insert(ticketComments)
    .values({
      ticketId: ticket.id,
      body: input.body,
      visibility: input.visibility,
      channel: input.channel ?? TicketChannel.APP,
      authorId,
    })
    .returning();
  const isPublic = input.visibility === CommentVisibility.PUBLIC;
  await tx
    .update(tickets)
    .set({
      lastActivityAt: sql`now()`,
      updatedAt: sql`now()`,
      ...(isPublic ? { firstResponseAt: sql`coalesce(${tickets.firstResponseAt}, now())` } : {}),
    })
    .where(eq(tickets.id, ticket.id));
  let row = comment!;
  const delivery = isPublic ? await outbound(tx, board, ticket, row) : null;
  if (delivery) {
    const [updated] = await tx.update(ticketComments).set(delivery).where(eq(ticketComments.id, row.id)).returning();
    row = updated!;
  }
  await recordActivity(tx, {
    actorId: authorId,
    verb: 'ticket.commented',
    entityType: 'ticket',
    entityId: ticket.id,
    boardId: board.id,
    summary: `Commented on ${identifierOf(board.key, ticket)} (${input.visibility})`,
  });
  await announce(tx, board.id, 'COMMENT_ADDED', { ticketId: ticket.id, commentId: row.id, actorId: authorId });
  return row;
}

/** Comments on tickets: editors write; authors edit their own; the OWNER deletes any. */
export class TicketCommentService {
  constructor(
    private readonly app: App,
    private readonly outbound: Outbound,
  ) {}

  async add(viewer: Viewer, ticketId: string, input: TicketCommentInput): Promise<TicketCommentRow> {
    const body = checkBody(input.body);
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, ticketId, BoardRole.EDITOR);
      return insertMemberComment(
        tx,
        board,
        ticket,
        viewer.userId,
        { body, visibility: input.visibility },
        this.outbound,
      );
    });
  }

  async update(viewer: Viewer, id: string, rawBody: string): Promise<TicketCommentRow> {
    const body = checkBody(rawBody);
    return this.app.db.transaction(async (tx) => {
      const { comment, board } = await this.locked(tx, viewer, id, BoardRole.EDITOR);
      if (comment.authorId !== viewer.userId)
        throw new ForbiddenError(
          comment.authorId ? 'Only its author edits a comment' : "A requester's words are never edited",
        );
      const [row] = await tx
        .update(ticketComments)
        .set({ body, editedAt: sql`now()` })
        .where(eq(ticketComments.id, comment.id))
        .returning();
      await announce(tx, board.id, 'COMMENT_UPDATED', {
        ticketId: comment.ticketId,
        commentId: comment.id,
        actorId: viewer.userId,
      });
      return row!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const { comment, board } = await this.locked(tx, viewer, id, BoardRole.EDITOR);
      if (comment.authorId !== viewer.userId && board.myRole !== BoardRole.OWNER)
        throw new ForbiddenError('Members delete their own comments; the owner any');
      await tx.delete(ticketComments).where(eq(ticketComments.id, comment.id));
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'ticket.comment_deleted',
        entityType: 'ticket',
        entityId: comment.ticketId,
        boardId: board.id,
        summary: `Deleted a comment`,
      });
      await announce(tx, board.id, 'COMMENT_DELETED', {
        ticketId: comment.ticketId,
        commentId: comment.id,
        actorId: viewer.userId,
      });
      return comment.id;
    });
  }

  private async locked(tx: Tx, viewer: Viewer, id: string, minimum: BoardRole) {
    const [found] = await tx
      .select({ comment: ticketComments })
      .from(ticketComments)
      .innerJoin(tickets, eq(tickets.id, ticketComments.ticketId))
      .innerJoin(boardMembers, and(eq(boardMembers.boardId, tickets.boardId), eq(boardMembers.userId, viewer.userId)))
      .where(eq(ticketComments.id, parseId(id, 'Comment')));
    if (!found) throw new NotFoundError('Comment');
    const { board } = await requireTicket(tx, viewer.userId, found.comment.ticketId, minimum);
    return { comment: found.comment, board };
  }
}
