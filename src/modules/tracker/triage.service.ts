import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { ticketParticipants, tickets } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, InputError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { requireTicket } from './board-access.js';
import {
  announce,
  assignable,
  checkWip,
  firstStateOf,
  identifierOf,
  pickFromRota,
  recordAssignment,
  stateOf,
} from './board-rules.js';
import { BoardRole, type BoardWithRole, StateCategory } from './board.type.js';
import { type Outbound, checkBody, insertMemberComment } from './comment.service.js';
import { bottomRank } from './ranks.js';
import { MAX_PARTICIPANTS, stateStamps, touched } from './ticket-rules.js';
import { actorOf } from './ticket.service.js';
import { CommentVisibility, type TicketRow, TriageStatus } from './ticket.type.js';
import type { AcceptTicketInput } from './tracker.inputs.js';

const WAITING = [TriageStatus.PENDING, TriageStatus.SNOOZED];
const YEAR_MS = 366 * 24 * 3600 * 1000;

type Action = 'ACCEPT' | 'DECLINE' | 'DUPLICATE' | 'SNOOZE';
const RESULT: Record<Action, TriageStatus> = {
  ACCEPT: TriageStatus.ACCEPTED,
  DECLINE: TriageStatus.DECLINED,
  DUPLICATE: TriageStatus.DUPLICATE,
  SNOOZE: TriageStatus.SNOOZED,
};

/** A decision this recent is another triager's at the same time: the other decision is CONFLICT, not a mistake. */
const RACE_WINDOW_MS = 10_000;

/**
 * Whether the action applies: true to go on, false when it is a repeat (a no-op). Under the board's
 * lock, a second triager doing the same thing finds it done; a different decision is CONFLICT.
 * Accepting a ticket declined or marked duplicate earlier is BAD_USER_INPUT; when that happened in
 * the last seconds it was a race with another triager, and is CONFLICT like the others.
 */
function applies(ticket: TicketRow, action: Action): boolean {
  const status = ticket.triageStatus as TriageStatus | null;
  if (status === RESULT[action] && action !== 'SNOOZE') return false;
  if (status === null || WAITING.includes(status)) {
    if (status === null && action !== 'DUPLICATE' && action !== 'DECLINE')
      throw new InputError({ id: 'The ticket is not in the standby queue' });
    return true;
  }
  const recent = ticket.canceledAt !== null && Date.now() - ticket.canceledAt.getTime() < RACE_WINDOW_MS;
  if (action === 'ACCEPT' && !recent) throw new InputError({ id: `A ${status} ticket cannot be accepted` });
  throw new ConflictError(`The ticket was ${status} meanwhile`);
}

/** The standby queue: accepting, declining, marking duplicates and snoozing (EDITOR or OWNER). */
export class TriageService {
  constructor(
    private readonly app: App,
    private readonly outbound: Outbound,
  ) {}

  async accept(viewer: Viewer, id: string, input: AcceptTicketInput | null | undefined): Promise<TicketRow> {
    const comment = input?.comment != null ? checkBody(input.comment, 'comment') : null;
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      if (!applies(ticket, 'ACCEPT')) return ticket;
      const state = await stateOf(tx, board.id, input?.stateId ?? board.defaultStateId!);
      await checkWip(tx, board, state, ticket.id);
      const assigneeId = input?.assigneeId
        ? await assignable(tx, board.id, input.assigneeId)
        : (ticket.assigneeId ?? (await pickFromRota(tx, board)));
      const [row] = await tx
        .update(tickets)
        .set({
          triageStatus: TriageStatus.ACCEPTED,
          snoozedUntil: null,
          stateId: state.id,
          rank: await bottomRank(tx, state.id),
          assigneeId,
          ...stateStamps(state),
          ...touched(),
        })
        .where(eq(tickets.id, ticket.id))
        .returning();
      await this.activity(tx, viewer, board, row!, 'ticket.accepted', `Accepted into "${state.name}"`);
      if (assigneeId !== ticket.assigneeId)
        await recordAssignment(tx, row!, identifierOf(board.key, row!), input?.assigneeId ? actorOf(viewer) : null);
      if (comment)
        await insertMemberComment(
          tx,
          board,
          row!,
          viewer.userId,
          { body: comment, visibility: input?.commentVisibility ?? CommentVisibility.PUBLIC },
          this.outbound,
        );
      await announce(tx, board.id, 'TICKET_MOVED', { ticketId: ticket.id, actorId: viewer.userId });
      return row!;
    });
  }

  async decline(viewer: Viewer, id: string, reason: string | null | undefined, notify: boolean): Promise<TicketRow> {
    const text = reason != null ? checkBody(reason, 'reason') : null;
    if (notify && !text) throw new InputError({ reason: 'Say why, to tell the requester' });
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      if (!applies(ticket, 'DECLINE')) return ticket;
      const row = await this.cancel(tx, board, ticket, { triageStatus: TriageStatus.DECLINED });
      await this.activity(tx, viewer, board, row, 'ticket.declined', 'Declined');
      // The reason is kept as a comment: PUBLIC (and mailed) when the requester is told, else INTERNAL.
      if (text)
        await insertMemberComment(
          tx,
          board,
          row,
          viewer.userId,
          { body: text, visibility: notify ? CommentVisibility.PUBLIC : CommentVisibility.INTERNAL },
          this.outbound,
        );
      await announce(tx, board.id, 'TICKET_MOVED', { ticketId: ticket.id, actorId: viewer.userId });
      return row;
    });
  }

  /** Cancels the ticket as a duplicate of another of the same board; its people join the original. */
  async markDuplicate(viewer: Viewer, id: string, originalId: string): Promise<TicketRow> {
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      const [original] = await tx
        .select()
        .from(tickets)
        .where(eq(tickets.id, parseId(originalId, 'Ticket')))
        .catch(() => []);
      if (!original || original.boardId !== board.id || !original.confirmed)
        throw new InputError({ duplicateOfId: 'Must be another ticket of the same board' });
      if (original.id === ticket.id) throw new InputError({ duplicateOfId: 'A ticket cannot duplicate itself' });
      if (ticket.triageStatus === TriageStatus.DUPLICATE && ticket.duplicateOfId === original.id) return ticket;
      await this.noCycle(tx, ticket.id, original);
      if (!applies(ticket, 'DUPLICATE')) return ticket;
      const row = await this.cancel(tx, board, ticket, {
        triageStatus: TriageStatus.DUPLICATE,
        duplicateOfId: original.id,
      });
      await this.joinOriginal(tx, ticket, original);
      await this.activity(
        tx,
        viewer,
        board,
        row,
        'ticket.duplicate',
        `Marked a duplicate of ${identifierOf(board.key, original)}:`,
      );
      await announce(tx, board.id, 'TICKET_MOVED', { ticketId: ticket.id, actorId: viewer.userId });
      await announce(tx, board.id, 'TICKET_UPDATED', { ticketId: original.id, actorId: viewer.userId });
      return row;
    });
  }

  async snooze(viewer: Viewer, id: string, until: Date): Promise<TicketRow> {
    const ms = until.getTime() - Date.now();
    if (!(ms > 0 && ms <= YEAR_MS)) throw new InputError({ until: 'Must be in the future and within a year' });
    return this.app.db.transaction(async (tx) => {
      const { ticket, board } = await requireTicket(tx, viewer.userId, id, BoardRole.EDITOR);
      if (ticket.triageStatus === null) throw new InputError({ id: 'The ticket is not in the standby queue' });
      applies(ticket, 'SNOOZE');
      const [row] = await tx
        .update(tickets)
        .set({ triageStatus: TriageStatus.SNOOZED, snoozedUntil: until, ...touched() })
        .where(eq(tickets.id, ticket.id))
        .returning();
      await this.activity(tx, viewer, board, row!, 'ticket.snoozed', `Snoozed until ${until.toISOString()}:`);
      await announce(tx, board.id, 'TICKET_UPDATED', { ticketId: ticket.id, actorId: viewer.userId });
      return row!;
    });
  }

  private async cancel(tx: Tx, board: BoardWithRole, ticket: TicketRow, set: Partial<typeof tickets.$inferInsert>) {
    const state = await firstStateOf(tx, board.id, StateCategory.CANCELED);
    const [row] = await tx
      .update(tickets)
      .set({
        ...set,
        snoozedUntil: null,
        stateId: state.id,
        rank: await bottomRank(tx, state.id, ticket.id),
        ...stateStamps(state),
        ...touched(),
      })
      .where(eq(tickets.id, ticket.id))
      .returning();
    return row!;
  }

  /** BAD_USER_INPUT when the original is (through its own originals) a duplicate of this ticket. */
  private async noCycle(tx: Tx, ticketId: string, original: TicketRow) {
    const rows = await tx.execute(
      sql`with recursive chain(id, next, depth) as (
            select id, duplicate_of_id, 0 from ${tickets} where id = ${original.id}
            union all select t.id, t.duplicate_of_id, c.depth + 1 from ${tickets} t join chain c on t.id = c.next where c.depth < 100)
          select 1 from chain where id = ${ticketId} limit 1`,
    );
    const found = Array.isArray(rows) ? rows.length : ((rows as { rows?: unknown[] }).rows?.length ?? 0);
    if (found) throw new InputError({ duplicateOfId: 'That would make a cycle of duplicates' });
  }

  private async joinOriginal(tx: Tx, ticket: TicketRow, original: TicketRow) {
    const people = await tx.select().from(ticketParticipants).where(eq(ticketParticipants.ticketId, ticket.id));
    const incoming = [
      ...(ticket.requesterEmail ? [{ email: ticket.requesterEmail, name: ticket.requesterName }] : []),
      ...people.map((p) => ({ email: p.email, name: p.name })),
    ].filter((p) => p.email !== original.requesterEmail);
    if (!incoming.length) return;
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(ticketParticipants)
      .where(eq(ticketParticipants.ticketId, original.id));
    const room = Math.max(0, MAX_PARTICIPANTS - Number(n));
    if (room === 0) return;
    await tx
      .insert(ticketParticipants)
      .values(incoming.slice(0, room).map((p) => ({ ticketId: original.id, ...p })))
      .onConflictDoNothing();
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

/** Snoozed tickets whose time came go back to PENDING, announced on their boards (run every few seconds). */
export async function wakeSnoozed(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const woken = await tx
      .update(tickets)
      .set({ triageStatus: TriageStatus.PENDING, snoozedUntil: null, updatedAt: sql`now()` })
      .where(and(eq(tickets.triageStatus, TriageStatus.SNOOZED), lte(tickets.snoozedUntil, sql`now()`)))
      .returning({ id: tickets.id, boardId: tickets.boardId });
    for (const t of woken) await announce(tx, t.boardId, 'TICKET_UPDATED', { ticketId: t.id, actorId: null });
    return woken.length;
  });
}
