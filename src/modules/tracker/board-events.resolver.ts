import { Arg, Ctx, Field, FieldResolver, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { checkAccess } from '../../shared/access.js';
import { whileUnavailable } from '../../shared/retry.js';
import { User } from '../users/index.js';
import type { Context } from './context.js';
import { requireBoard } from './board-access.js';
import { BoardRole } from './board.type.js';
import { BoardChangeKind, Ticket, TicketComment, type TicketCommentRow, type TicketRow } from './ticket.type.js';

interface ChangePayload {
  kind: BoardChangeKind;
  boardId: string;
  ticketId: string | null;
  ticket: TicketRow | null;
  comment: TicketCommentRow | null;
  actorId: string | null;
}

@ObjectType()
export class BoardChange {
  @Field(() => BoardChangeKind) kind!: BoardChangeKind;
  @Field(() => ID) boardId!: string;
  @Field(() => ID, { nullable: true }) ticketId!: string | null;
  @Field(() => Ticket, { nullable: true, description: 'Null when kind is TICKET_DELETED or BOARD_UPDATED' })
  ticket!: TicketRow | null;
  @Field(() => TicketComment, { nullable: true }) comment!: TicketCommentRow | null;
}

/**
 * Changes of one board. Subscribing checks membership (NOT_FOUND otherwise); every event checks it
 * again with fresh loaders, so a removed member's events stop; reads wait out a database outage.
 */
async function boardStream(ctx: Context, boardId: string): Promise<AsyncIterable<ChangePayload>> {
  const viewer = checkAccess(ctx, [], 'subscription');
  const board = await requireBoard(ctx.app.db, viewer.userId, boardId, BoardRole.VIEWER);
  const live = ctx.app.bus.iterate(`board:${board.id}`);
  async function* stream(): AsyncGenerator<ChangePayload> {
    try {
      for await (const event of live) {
        if (event.topic !== 'board') continue;
        const read = await whileUnavailable(async () => {
          ctx.renewLoaders();
          if (!(await ctx.loaders.boardById.load(board.id))) return null;
          const gone = event.kind === 'TICKET_DELETED' || event.kind === 'BOARD_UPDATED';
          return {
            ticket: event.ticketId && !gone ? await ctx.loaders.ticketById.load(event.ticketId) : null,
            comment:
              event.commentId && event.kind !== 'COMMENT_DELETED'
                ? await ctx.loaders.commentById.load(event.commentId)
                : null,
          };
        });
        if (!read) return;
        yield {
          kind: event.kind as BoardChangeKind,
          boardId: board.id,
          ticketId: event.ticketId,
          ticket: read.ticket,
          comment: read.comment,
          actorId: event.actorId,
        };
      }
    } finally {
      await live.return?.();
    }
  }
  return stream();
}

@Resolver(() => BoardChange)
export class BoardEventsResolver {
  @Subscription(() => BoardChange, {
    description: 'Ticket, comment and board changes of a board the viewer is a member of',
    subscribe: ({ args, context }) => boardStream(context as Context, (args as { boardId: string }).boardId),
  })
  boardChanged(@Root() change: ChangePayload, @Arg('boardId', () => ID) _boardId: string): ChangePayload {
    return change;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Null when a requester (mail, public link) or the system caused it',
  })
  actor(@Root() change: ChangePayload, @Ctx() ctx: Context) {
    return change.actorId ? ctx.loaders.userById.load(change.actorId) : null;
  }
}
