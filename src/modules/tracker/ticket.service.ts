import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { boardMembers, ticketParticipants, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireBoard, requireTicket } from './board-access.js';
import { announce, assignable, identifierOf } from './board-rules.js';
import { BoardRole, type BoardWithRole } from './board.type.js';
import { insertTicket } from './ticket-intake.js';
import { MAX_PARTICIPANTS, boardLabelIds, checkTicketText, replaceLabels, touched } from './ticket-rules.js';
import { emptyTicketPage, pageTickets, visibleBoardIds } from './ticket.pages.js';
import { TicketChannel, TicketOrderField, type TicketRow, TriageStatus } from './ticket.type.js';
import type { CreateTicketInput, TicketFilter, TicketOrder, UpdateTicketInput } from './tracker.inputs.js';
import type { PageRequest } from '../../shared/pagination.js';
import { OrderDirection } from '../tasks/index.js';

export const actorOf = (viewer: Viewer) => ({ userId: viewer.userId, name: viewer.user.name ?? viewer.user.email });

/** Tickets as members make and edit them: EDITOR or OWNER changes, the OWNER deletes. */
export class TicketService {
  constructor(private readonly app: App) {}

  /** Inside a transaction pass it as `q`. A ticket of a board the viewer is not on is NOT_FOUND. */
  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<TicketRow> {
    const [row] = await q
      .select({ ticket: tickets })
      .from(tickets)
      .innerJoin(boardMembers, and(eq(boardMembers.boardId, tickets.boardId), eq(boardMembers.userId, viewer.userId)))
      .where(and(eq(tickets.id, parseId(id, 'Ticket')), eq(tickets.confirmed, true)));
    if (!row) throw new NotFoundError('Ticket');
    return row.ticket;
  }

  async byNumber(viewer: Viewer, boardId: string, number: number): Promise<TicketRow> {
    const board = await requireBoard(this.app.db, viewer.userId, boardId, BoardRole.VIEWER);
    const [row] = await this.app.db
      .select()
      .from(tickets)
      .where(and(eq(tickets.boardId, board.id), eq(tickets.number, number), eq(tickets.confirmed, true)));
    if (!row) throw new NotFoundError('Ticket');
    return row;
  }

  /** Tickets of every board the viewer is on. */
  async search(viewer: Viewer, page: PageRequest, filter?: TicketFilter | null, order?: TicketOrder | null) {
    const scope = sql`${tickets.boardId} in ${visibleBoardIds(viewer.userId)}`;
    const pages = await pageTickets(this.app.db, scope, filter, order, page, false);
    return pages.get(null) ?? emptyTicketPage(this.app.db, scope, filter, page, order);
  }

  /** PENDING (and with includeSnoozed SNOOZED) tickets, oldest first: of one board, or of every board the viewer triages. */
  async standby(viewer: Viewer, boardId: string | null, includeSnoozed: boolean, page: PageRequest) {
    const boards = boardId
      ? eq(tickets.boardId, (await requireBoard(this.app.db, viewer.userId, boardId, BoardRole.VIEWER)).id)
      : sql`${tickets.boardId} in ${visibleBoardIds(viewer.userId, ['OWNER', 'EDITOR'])}`;
    const statuses = includeSnoozed ? [TriageStatus.PENDING, TriageStatus.SNOOZED] : [TriageStatus.PENDING];
    const scope = and(boards, inArray(tickets.triageStatus, statuses))!;
    const order = { field: TicketOrderField.CREATED_AT, direction: OrderDirection.ASC };
    const pages = await pageTickets(this.app.db, scope, null, order, page, false);
    return pages.get(null) ?? emptyTicketPage(this.app.db, scope, null, page, order);
  }

  async create(viewer: Viewer, input: CreateTicketInput, channel = TicketChannel.APP): Promise<TicketRow> {
    checkTicketText(input.title, input.description);
    const requesterEmail = input.requesterEmail ? normalizeEmail(input.requesterEmail) : null;
    const p = new FieldProblems();
    if (requesterEmail) checkEmail(p, requesterEmail, 'requesterEmail');
    p.check((input.requesterName ?? '').length <= 100, 'requesterName', 'At most 100 characters');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const board = await requireBoard(tx, viewer.userId, input.boardId, BoardRole.EDITOR, true);
      const standby = Boolean(input.toStandby && board.triageEnabled);
      return insertTicket(
        tx,
        board,
        {
          title: input.title,
          description: input.description ?? null,
          priority: input.priority,
          stateId: input.stateId,
          standby,
          assigneeId: input.assigneeId && !standby ? await assignable(tx, board.id, input.assigneeId) : null,
          labelIds: input.labelIds?.length ? await boardLabelIds(tx, board.id, input.labelIds) : [],
          requester: requesterEmail ? { email: requesterEmail, name: input.requesterName?.trim() || null } : null,
          channel,
          createdById: viewer.userId,
        },
        actorOf(viewer),
      );
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateTicketInput): Promise<TicketRow> {
    checkTicketText(input.title, input.description);
    if (input.priority === null) throw new InputError({ priority: 'Cannot be null' });
    return this.change(viewer, id, 'ticket.updated', async (tx, ticket) => {
      const changes: Partial<typeof tickets.$inferInsert> = touched();
      if (input.title) changes.title = input.title.trim();
      if (input.description !== undefined) changes.description = input.description;
      if (input.priority) changes.priority = input.priority;
      const [row] = await tx.update(tickets).set(changes).where(eq(tickets.id, ticket.id)).returning();
      return row!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.OWNER);
      await tx.delete(tickets).where(eq(tickets.id, ticket.id));
      await this.activity(tx, viewer, board, ticket, 'ticket.deleted', 'Deleted');
      await announce(tx, board.id, 'TICKET_DELETED', { ticketId: ticket.id, actorId: viewer.userId });
      return ticket.id;
    });
  }

  async setLabels(viewer: Viewer, id: string, labelIds: string[]): Promise<TicketRow> {
    return this.change(viewer, id, 'ticket.labeled', async (tx, ticket) => {
      await replaceLabels(tx, ticket.id, await boardLabelIds(tx, ticket.boardId, labelIds));
      const [row] = await tx.update(tickets).set(touched()).where(eq(tickets.id, ticket.id)).returning();
      return row!;
    });
  }

  async addParticipant(viewer: Viewer, id: string, rawEmail: string, name: string | null | undefined) {
    const email = normalizeEmail(rawEmail);
    const p = new FieldProblems();
    checkEmail(p, email);
    p.check((name ?? '').length <= 100, 'name', 'At most 100 characters');
    p.throwIfAny();
    return this.change(viewer, id, 'ticket.participant_added', async (tx, ticket) => {
      if (email === ticket.requesterEmail) return ticket;
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(ticketParticipants)
        .where(eq(ticketParticipants.ticketId, ticket.id));
      if (Number(n) >= MAX_PARTICIPANTS) throw new InputError({ email: `At most ${MAX_PARTICIPANTS} participants` });
      await tx
        .insert(ticketParticipants)
        .values({ ticketId: ticket.id, email, name: name?.trim() || null })
        .onConflictDoUpdate({
          target: [ticketParticipants.ticketId, ticketParticipants.email],
          set: { name: name?.trim() || null },
        });
      const [row] = await tx.update(tickets).set(touched()).where(eq(tickets.id, ticket.id)).returning();
      return row!;
    });
  }

  async removeParticipant(viewer: Viewer, id: string, rawEmail: string) {
    const email = normalizeEmail(rawEmail);
    return this.change(viewer, id, 'ticket.participant_removed', async (tx, ticket) => {
      const [gone] = await tx
        .delete(ticketParticipants)
        .where(and(eq(ticketParticipants.ticketId, ticket.id), eq(ticketParticipants.email, email)))
        .returning();
      if (!gone) throw new NotFoundError('Participant');
      const [row] = await tx.update(tickets).set(touched()).where(eq(tickets.id, ticket.id)).returning();
      return row!;
    });
  }

  /** A member's change of a ticket under the board's lock, with its activity row and event. */
  private change(
    viewer: Viewer,
    id: string,
    verb: string,
    apply: (tx: Tx, ticket: TicketRow, board: BoardWithRole) => Promise<TicketRow>,
  ): Promise<TicketRow> {
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      const updated = await apply(tx, ticket, board);
      await this.activity(tx, viewer, board, updated, verb, 'Updated');
      await announce(tx, board.id, 'TICKET_UPDATED', { ticketId: ticket.id, actorId: viewer.userId });
      return updated;
    });
  }

  private activity(tx: Tx, viewer: Viewer, board: BoardWithRole, ticket: TicketRow, verb: string, what: string) {
    return recordActivity(tx, {
      actorId: viewer.userId,
      verb,
      entityType: 'ticket',
      entityId: ticket.id,
      boardId: board.id,
      summary: `${what} ${identifierOf(board.key, ticket)} "${ticket.title}"`,
    });
  }
}
