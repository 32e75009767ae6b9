import { and, asc, eq, inArray, isNull, or } from 'drizzle-orm';
import { boardStates, boards, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { InputError } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard, requireTicket } from './board-access.js';
import { announce, assignable, checkWip, identifierOf, recordAssignment, stateOf } from './board-rules.js';
import { BoardRole } from './board.type.js';
import { REBALANCE_LENGTH, rankBetween, rebalanceState } from './ranks.js';
import { stateStamps, touched } from './ticket-rules.js';
import { actorOf } from './ticket.service.js';
import type { TicketRow } from './ticket.type.js';
import type { MoveTicketInput } from './tracker.inputs.js';

/** Where tickets go and who holds them: moves, assignment and claiming. */
export class TicketFlowService {
  constructor(private readonly app: App) {}

  /**
   * Gives a state short keys again, in its own transaction under the board's lock, after a move left
   * a key longer than REBALANCE_LENGTH. A rebalance lost with its process is redone by the next
   * move that makes a long key.
   */
  async rebalance(boardId: string, stateId: string): Promise<number> {
    return this.app.db.transaction(async (tx) => {
      await tx.select({ id: boards.id }).from(boards).where(eq(boards.id, boardId)).for('update');
      const n = await rebalanceState(tx, stateId);
      await announce(tx, boardId, 'BOARD_UPDATED', { actorId: null });
      return n;
    });
  }

  /**
   * Places a ticket between `afterId` and `beforeId` of a state (both null: the top). The rank is
   * computed under the board's lock from the anchor's actual neighbour, and (state, rank) is unique.
   */
  async move(viewer: Viewer, id: string, input: MoveTicketInput): Promise<TicketRow> {
    const moved = await this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      if (ticket.stateId === null)
        throw new InputError({ id: 'The ticket waits in the standby queue: accept it first' });
      const state = await stateOf(tx, board.id, input.stateId);
      if (state.id !== ticket.stateId) await checkWip(tx, board, state, ticket.id);
      const rank = await rankBetween(tx, state.id, ticket.id, input.afterId, input.beforeId);
      const stamps = state.id === ticket.stateId ? {} : stateStamps(state);
      const [row] = await tx
        .update(tickets)
        .set({ stateId: state.id, rank, ...stamps, ...touched() })
        .where(eq(tickets.id, ticket.id))
        .returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'ticket.moved',
        entityType: 'ticket',
        entityId: ticket.id,
        boardId: board.id,
        summary: `Moved ${identifierOf(board.key, ticket)} to "${state.name}"`,
      });
      await announce(tx, board.id, 'TICKET_MOVED', { ticketId: ticket.id, actorId: viewer.userId });
      return row!;
    });
    if (moved.rank.length > REBALANCE_LENGTH)
      void this.rebalance(moved.boardId, moved.stateId!).catch((err: unknown) =>
        this.app.logger.warn({ err }, 'tracker: rebalancing a state failed'),
      );
    return moved;
  }

  /** assigneeId null unassigns. */
  async assign(viewer: Viewer, id: string, assigneeId: string | null | undefined): Promise<TicketRow> {
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      const to = assigneeId ? await assignable(tx, board.id, assigneeId) : null;
      if (to === ticket.assigneeId) return ticket;
      const [row] = await tx
        .update(tickets)
        .set({ assigneeId: to, ...touched() })
        .where(eq(tickets.id, ticket.id))
        .returning();
      const identifier = identifierOf(board.key, row!);
      if (to) await recordAssignment(tx, row!, identifier, actorOf(viewer));
      else
        await recordActivity(tx, {
          actorId: viewer.userId,
          verb: 'ticket.unassigned',
          entityType: 'ticket',
          entityId: ticket.id,
          boardId: board.id,
          summary: `Unassigned ${identifier}`,
        });
      await announce(tx, board.id, 'TICKET_UPDATED', { ticketId: ticket.id, actorId: viewer.userId });
      return row!;
    });
  }

  /**
   * Assigns the oldest accepted, unassigned ticket in a BACKLOG or UNSTARTED state to the viewer.
   * The candidate row is locked with SKIP LOCKED (no board lock): claimers at once each take a
   * different ticket, and one never waits for another's transaction.
   */
  async claimNext(viewer: Viewer, boardId: string): Promise<TicketRow | null> {
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, boardId, BoardRole.EDITOR);
      const [candidate] = await tx
        .select({ id: tickets.id })
        .from(tickets)
        .innerJoin(boardStates, eq(boardStates.id, tickets.stateId))
        .where(
          and(
            eq(tickets.boardId, board.id),
            isNull(tickets.assigneeId),
            eq(tickets.confirmed, true),
            or(isNull(tickets.triageStatus), eq(tickets.triageStatus, 'ACCEPTED')),
            inArray(boardStates.category, ['BACKLOG', 'UNSTARTED']),
          ),
        )
        .orderBy(asc(tickets.createdAt), asc(tickets.id))
        .limit(1)
        .for('update', { of: tickets, skipLocked: true });
      if (!candidate) return null;
      const [row] = await tx
        .update(tickets)
        .set({ assigneeId: viewer.userId, ...touched() })
        .where(and(eq(tickets.id, candidate.id), isNull(tickets.assigneeId)))
        .returning();
      if (!row) return null;
      await recordAssignment(tx, row, identifierOf(board.key, row), actorOf(viewer));
      await announce(tx, board.id, 'TICKET_UPDATED', { ticketId: row.id, actorId: viewer.userId });
      return row;
    });
  }
}
