import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardMembers, boardStates, tickets, users } from '../../db/schema/index.js';
import { publish } from '../../shared/event-bus.js';
import { InputError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { recordActivity } from '../activity/index.js';
import { createNotifications } from '../notifications/index.js';
import { type BoardRow, type BoardStateRow, StateCategory } from './board.type.js';
import type { TicketRow } from './ticket.type.js';

export type BoardEvent = Parameters<typeof publish>[1] & { topic: 'board' };

/** The state of the board with this id; anything else is BAD_USER_INPUT on `field`. */
export async function stateOf(tx: Tx, boardId: string, id: string, field = 'stateId'): Promise<BoardStateRow> {
  const [row] = isUuid(id)
    ? await tx
        .select()
        .from(boardStates)
        .where(and(eq(boardStates.id, id.toLowerCase()), eq(boardStates.boardId, boardId)))
    : [];
  if (!row) throw new InputError({ [field]: 'Must be a state of this board' });
  return row;
}

/** The first state of a category (by position): where declined and duplicate tickets go. */
export async function firstStateOf(tx: Tx, boardId: string, category: StateCategory): Promise<BoardStateRow> {
  const [row] = await tx
    .select()
    .from(boardStates)
    .where(and(eq(boardStates.boardId, boardId), eq(boardStates.category, category)))
    .orderBy(asc(boardStates.position))
    .limit(1);
  return row!;
}

/**
 * Refuses a ticket into a full state under BLOCK (BAD_USER_INPUT fields.stateId); under WARN the
 * limit is only reported (ticketCount against wipLimit). The caller holds the board's lock.
 */
export async function checkWip(tx: Tx, board: BoardRow, state: BoardStateRow, moving: string | null): Promise<void> {
  if (state.wipLimit === null || board.wipPolicy !== 'BLOCK') return;
  const [{ n } = { n: 0 }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(and(eq(tickets.stateId, state.id), moving ? ne(tickets.id, moving) : undefined));
  if (Number(n) >= state.wipLimit)
    throw new InputError({ stateId: `"${state.name}" is at its WIP limit (${state.wipLimit})` });
}

/** An EDITOR or OWNER of the board; anyone else is BAD_USER_INPUT fields.assigneeId. */
export async function assignable(tx: Tx, boardId: string, userId: string): Promise<string> {
  const [row] = isUuid(userId)
    ? await tx
        .select({ userId: boardMembers.userId })
        .from(boardMembers)
        .where(
          and(
            eq(boardMembers.boardId, boardId),
            eq(boardMembers.userId, userId.toLowerCase()),
            inArray(boardMembers.role, ['OWNER', 'EDITOR']),
          ),
        )
    : [];
  if (!row) throw new InputError({ assigneeId: 'The assignee must be an editor or the owner of the board' });
  return row.userId;
}

/**
 * Assigned tickets of a board member in UNSTARTED or STARTED states (BALANCED compares it), for a
 * select from board_members (named in full: drizzle leaves columns unqualified in one-table selects).
 */
export const openAssigned = () =>
  sql<number>`(select count(*) from ${tickets} t join ${boardStates} s on s.id = t.state_id
        where t.board_id = "board_members"."board_id" and t.assignee_id = "board_members"."user_id"
          and s.category in ('UNSTARTED', 'STARTED'))::int`;

/**
 * Who the rota gives the next ticket: members with acceptsAssignments who may be assigned and are
 * not suspended. ROUND_ROBIN: the least recently assigned; BALANCED: the fewest open assigned
 * tickets, ties to the least recently assigned. Null for OFF or an empty rota.
 */
export async function pickFromRota(tx: Tx, board: BoardRow): Promise<string | null> {
  if (board.autoAssign === 'OFF') return null;
  const balanced = board.autoAssign === 'BALANCED';
  const [row] = await tx
    .select({ userId: boardMembers.userId })
    .from(boardMembers)
    .innerJoin(users, eq(users.id, boardMembers.userId))
    .where(
      and(
        eq(boardMembers.boardId, board.id),
        eq(boardMembers.acceptsAssignments, true),
        inArray(boardMembers.role, ['OWNER', 'EDITOR']),
        isNull(users.suspendedAt),
      ),
    )
    .orderBy(
      ...(balanced ? [asc(openAssigned())] : []),
      sql`${boardMembers.lastAssignedAt} asc nulls first`,
      asc(boardMembers.addedAt),
      asc(boardMembers.userId),
    )
    .limit(1);
  return row?.userId ?? null;
}

/**
 * After a ticket got an assignee: the rota's clock moves on, the assignee is notified (unless they
 * assigned themselves) and the activity row is written, all in the caller's transaction.
 */
export async function recordAssignment(
  tx: Tx,
  ticket: TicketRow,
  identifier: string,
  actor: { userId: string; name: string } | null,
): Promise<void> {
  if (!ticket.assigneeId) return;
  await tx
    .update(boardMembers)
    .set({ lastAssignedAt: sql`clock_timestamp()` })
    .where(and(eq(boardMembers.boardId, ticket.boardId), eq(boardMembers.userId, ticket.assigneeId)));
  if (actor?.userId !== ticket.assigneeId) {
    await createNotifications(tx, [
      {
        userId: ticket.assigneeId,
        kind: 'TICKET_ASSIGNED',
        title: actor ? `${actor.name} assigned you ${identifier}` : `You were assigned ${identifier}`,
        body: ticket.title,
        entityType: 'ticket',
        entityId: ticket.id,
      },
    ]);
  }
  await recordActivity(tx, {
    actorId: actor?.userId ?? ticket.assigneeId,
    verb: 'ticket.assigned',
    entityType: 'ticket',
    entityId: ticket.id,
    boardId: ticket.boardId,
    summary: `Assigned ${identifier} "${ticket.title}"`,
  });
}

/** boardChanged: ids only, delivered on commit. */
export async function announce(
  tx: Tx,
  boardId: string,
  kind: BoardEvent['kind'],
  ids: { ticketId?: string | null; commentId?: string | null; actorId: string | null },
): Promise<void> {
  await publish(tx, {
    topic: 'board',
    boardId,
    kind,
    ticketId: ids.ticketId ?? null,
    commentId: ids.commentId ?? null,
    actorId: ids.actorId,
  });
}

export const identifierOf = (key: string, ticket: Pick<TicketRow, 'number'>) => `${key}-${ticket.number}`;
