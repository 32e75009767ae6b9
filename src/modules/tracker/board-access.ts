import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { boardMembers, boards, tickets } from '../../db/schema/index.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { BoardRole, type BoardWithRole } from './board.type.js';
import type { TicketRow } from './ticket.type.js';

const LEVEL: Record<BoardRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export function atLeast(role: BoardRole, minimum: BoardRole): boolean {
  return LEVEL[role] >= LEVEL[minimum];
}

function requireRole(role: BoardRole, minimum: BoardRole): void {
  if (atLeast(role, minimum)) return;
  throw new ForbiddenError(
    minimum === BoardRole.OWNER ? 'Only the board owner may do this' : 'Viewers cannot change the board',
  );
}

/**
 * The board as the viewer sees it. Not a member: NOT_FOUND, exactly like a board that does not
 * exist. A member below `minimum`: FORBIDDEN. With `lock`, the board row is locked for the
 * transaction: every change of numbers, ranks, assignment or triage on a board takes it first.
 */
export async function requireBoard(
  q: Queryable,
  viewerId: string,
  id: string,
  minimum: BoardRole,
  lock = false,
): Promise<BoardWithRole> {
  const boardId = parseId(id, 'Board');
  const query = q
    .select({ board: boards, role: boardMembers.role })
    .from(boards)
    .innerJoin(boardMembers, and(eq(boardMembers.boardId, boards.id), eq(boardMembers.userId, viewerId)))
    .where(eq(boards.id, boardId));
  const [row] = lock ? await query.for('update', { of: boards }) : await query;
  if (!row) throw new NotFoundError('Board');
  const role = row.role as BoardRole;
  requireRole(role, minimum);
  return { ...row.board, myRole: role };
}

/**
 * A ticket and its board, the board locked (or not) with the viewer's role checked. A ticket of a
 * board the viewer is not a member of is NOT_FOUND.
 */
export async function requireTicket(
  q: Queryable,
  viewerId: string,
  id: string,
  minimum: BoardRole,
  lock = true,
): Promise<{ ticket: TicketRow; board: BoardWithRole }> {
  const ticketId = parseId(id, 'Ticket');
  const [found] = await q
    .select({ boardId: tickets.boardId })
    .from(tickets)
    .innerJoin(boardMembers, and(eq(boardMembers.boardId, tickets.boardId), eq(boardMembers.userId, viewerId)))
    .where(and(eq(tickets.id, ticketId), eq(tickets.confirmed, true)));
  if (!found) throw new NotFoundError('Ticket');
  const board = await requireBoard(q, viewerId, found.boardId, minimum, lock);
  // Read after the lock: the row is as the transaction will change it.
  const [ticket] = await q.select().from(tickets).where(eq(tickets.id, ticketId));
  if (!ticket || ticket.boardId !== board.id) throw new NotFoundError('Ticket');
  return { ticket, board };
}
