import { randomBytes } from 'node:crypto';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { boardMembers, tickets } from '../../db/schema/index.js';
import { recordActivity } from '../activity/index.js';
import { createNotifications } from '../notifications/index.js';
import { announce, checkWip, identifierOf, recordAssignment, stateOf } from './board-rules.js';
import type { BoardRow } from './board.type.js';
import { bottomRank } from './ranks.js';
import { replaceLabels, nextNumber, stateStamps } from './ticket-rules.js';
import { type TicketChannel, type TicketRow, TriageStatus } from './ticket.type.js';
import type { TaskPriority } from '../tasks/index.js';

export interface NewTicket {
  title: string;
  description: string | null;
  priority?: TaskPriority | null;
  /** A state of the board (checked here); null: the default state. Ignored for the standby queue. */
  stateId?: string | null;
  standby: boolean;
  assigneeId?: string | null;
  labelIds?: string[];
  requester?: { email: string; name: string | null } | null;
  channel: TicketChannel;
  createdById: string | null;
  /** False: a public submission waiting for its email confirmation (outside the queue, nobody told). */
  confirmed?: boolean;
  /** From outside (mail, the public form): a column's WIP limit never refuses a requester. */
  external?: boolean;
  /** The mail that opened it. */
  emailId?: string | null;
  relatedToId?: string | null;
}

/**
 * Opens a ticket on a board whose row the caller has locked: the next number, the standby queue or
 * a state at its bottom (WIP checked), labels, the activity row, TICKET_RECEIVED to the triagers,
 * TICKET_ASSIGNED to an assignee and the board event, all in the caller's transaction.
 */
export async function insertTicket(
  tx: Tx,
  board: BoardRow,
  input: NewTicket,
  actor: { userId: string; name: string } | null,
): Promise<TicketRow> {
  const number = await nextNumber(tx, board.id);
  let placement: Partial<typeof tickets.$inferInsert> = { triageStatus: TriageStatus.PENDING, stateId: null, rank: '' };
  if (!input.standby) {
    const state = await stateOf(tx, board.id, input.stateId ?? board.defaultStateId!);
    if (!input.external) await checkWip(tx, board, state, null);
    placement = { triageStatus: null, stateId: state.id, rank: await bottomRank(tx, state.id), ...stateStamps(state) };
  }
  const [ticket] = await tx
    .insert(tickets)
    .values({
      boardId: board.id,
      number,
      title: input.title.trim(),
      description: input.description,
      priority: input.priority ?? 'MEDIUM',
      ...placement,
      assigneeId: input.standby ? null : (input.assigneeId ?? null),
      createdById: input.createdById,
      requesterEmail: input.requester?.email ?? null,
      requesterName: input.requester?.name ?? null,
      channel: input.channel,
      confirmed: input.confirmed ?? true,
      mailToken: randomBytes(8).toString('hex'),
      emailId: input.emailId ?? null,
      relatedToId: input.relatedToId ?? null,
    })
    .returning();
  if (input.labelIds?.length) await replaceLabels(tx, ticket!.id, input.labelIds);
  const identifier = identifierOf(board.key, ticket!);
  if (actor)
    await recordActivity(tx, {
      actorId: actor.userId,
      verb: 'ticket.created',
      entityType: 'ticket',
      entityId: ticket!.id,
      boardId: board.id,
      summary: `Opened ${identifier} "${ticket!.title}"`,
    });
  await recordAssignment(tx, ticket!, identifier, actor);
  if (ticket!.confirmed) await published(tx, board, ticket!, actor?.userId ?? null);
  return ticket!;
}

/** A ticket members can now see: triagers hear of it when it waits, and the board announces it. */
export async function published(tx: Tx, board: BoardRow, ticket: TicketRow, actorId: string | null): Promise<void> {
  await enteredQueue(tx, board, ticket, actorId);
  await announce(tx, board.id, 'TICKET_CREATED', { ticketId: ticket.id, actorId });
}

/** TICKET_RECEIVED to the board's editors and owner (but whoever put it there) for a ticket now PENDING. */
export async function enteredQueue(tx: Tx, board: BoardRow, ticket: TicketRow, actorId: string | null): Promise<void> {
  if (ticket.triageStatus !== TriageStatus.PENDING) return;
  const triagers = await tx
    .select({ userId: boardMembers.userId })
    .from(boardMembers)
    .where(
      and(
        eq(boardMembers.boardId, board.id),
        inArray(boardMembers.role, ['OWNER', 'EDITOR']),
        actorId ? ne(boardMembers.userId, actorId) : undefined,
      ),
    );
  const identifier = identifierOf(board.key, ticket);
  await createNotifications(
    tx,
    triagers.map((t) => ({
      userId: t.userId,
      kind: 'TICKET_RECEIVED' as const,
      title: `${identifier} waits in the standby queue of "${board.name}"`,
      body: ticket.title,
      entityType: 'ticket',
      entityId: ticket.id,
    })),
  );
}
