import DataLoader from 'dataloader';
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import {
  boardLabels,
  boardMembers,
  boardStates,
  boards,
  emailDrafts,
  mailAccounts,
  publicForms,
  ticketInboxes,
  ticketComments,
  ticketLabels,
  ticketParticipants,
  tickets,
} from '../../db/schema/index.js';
import { KnownLoader } from '../../shared/known-loader.js';
import type { Connection, PageRequest } from '../../shared/pagination.js';
import { openAssigned } from './board-rules.js';
import { inboxColumns } from './inbox.service.js';
import type { InboxRow } from './inbox.type.js';
import type { BoardMemberRow, BoardRole, BoardStateRow, BoardWithRole } from './board.type.js';
import { pageComments } from './comment.pages.js';
import { emptyTicketPage, pageTickets } from './ticket.pages.js';
import type { TicketCommentRow, TicketRow } from './ticket.type.js';
import type { TicketFilter, TicketOrder } from './tracker.inputs.js';
import { groupByKey } from '../../shared/group-by-key.js';

type LabelRow = typeof boardLabels.$inferSelect;
type ParticipantRow = typeof ticketParticipants.$inferSelect;
export type MemberWithCount = BoardMemberRow & { openAssignedCount: number };

function counted(keys: readonly string[], rows: Array<{ key: string | null; n: number }>): number[] {
  const map = new Map(rows.map((r) => [r.key, Number(r.n)]));
  return keys.map((k) => map.get(k) ?? 0);
}

/** Per-request loaders of the tracker; boards and tickets are scoped to the viewer's memberships. */
export function createTrackerLoaders(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? '00000000-0000-0000-0000-000000000000';
  const mine = and(eq(boardMembers.boardId, tickets.boardId), eq(boardMembers.userId, viewer));
  const pages = new Map<string, DataLoader<string, Connection<TicketRow>>>();
  const commentPages = new Map<string, DataLoader<string, Connection<TicketCommentRow>>>();
  return {
    boardById: new KnownLoader<string, BoardWithRole | null>(async (ids) => {
      const rows = await db
        .select({ board: boards, role: boardMembers.role })
        .from(boards)
        .innerJoin(boardMembers, and(eq(boardMembers.boardId, boards.id), eq(boardMembers.userId, viewer)))
        .where(anyId(boards.id, ids));
      const byId = new Map(rows.map((r) => [r.board.id, { ...r.board, myRole: r.role as BoardRole }]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    ticketById: new KnownLoader<string, TicketRow | null>(async (ids) => {
      const rows = await db
        .select({ ticket: tickets })
        .from(tickets)
        .innerJoin(boardMembers, mine)
        .where(and(anyId(tickets.id, ids), eq(tickets.confirmed, true)));
      const byId = new Map(rows.map((r) => [r.ticket.id, r.ticket]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    commentById: new DataLoader<string, TicketCommentRow | null>(async (ids) => {
      const rows = await db
        .select(getTableColumns(ticketComments))
        .from(ticketComments)
        .innerJoin(tickets, eq(tickets.id, ticketComments.ticketId))
        .innerJoin(boardMembers, mine)
        .where(anyId(ticketComments.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    statesByBoard: new KnownLoader<string, BoardStateRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(boardStates)
        .where(anyId(boardStates.boardId, ids))
        .orderBy(asc(boardStates.position), asc(boardStates.id));
      return groupByKey(ids, rows, (r) => r.boardId);
    }),
    stateById: new KnownLoader<string, BoardStateRow | null>(async (ids) => {
      const rows = await db.select().from(boardStates).where(anyId(boardStates.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    ticketCountByState: new DataLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ key: tickets.stateId, n: sql<number>`count(*)::int` })
        .from(tickets)
        .where(anyId(tickets.stateId, ids))
        .groupBy(tickets.stateId);
      return counted(ids, rows);
    }),
    standbyCountByBoard: new DataLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ key: tickets.boardId, n: sql<number>`count(*)::int` })
        .from(tickets)
        .where(and(anyId(tickets.boardId, ids), eq(tickets.triageStatus, 'PENDING'), eq(tickets.confirmed, true)))
        .groupBy(tickets.boardId);
      return counted(ids, rows);
    }),
    membersByBoard: new DataLoader<string, MemberWithCount[]>(async (ids) => {
      const rows = await db
        .select({ ...getTableColumns(boardMembers), openAssignedCount: openAssigned() })
        .from(boardMembers)
        .where(anyId(boardMembers.boardId, ids))
        .orderBy(asc(boardMembers.addedAt), asc(boardMembers.userId));
      return groupByKey(ids, rows, (r) => r.boardId);
    }),
    labelsByBoard: new DataLoader<string, LabelRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(boardLabels)
        .where(anyId(boardLabels.boardId, ids))
        .orderBy(asc(boardLabels.name), asc(boardLabels.id));
      return groupByKey(ids, rows, (r) => r.boardId);
    }),
    labelsByTicket: new KnownLoader<string, LabelRow[]>(async (ids) => {
      const rows = await db
        .select({ ticketId: ticketLabels.ticketId, label: boardLabels })
        .from(ticketLabels)
        .innerJoin(boardLabels, eq(boardLabels.id, ticketLabels.labelId))
        .where(anyId(ticketLabels.ticketId, ids))
        .orderBy(asc(boardLabels.name), asc(boardLabels.id));
      return groupByKey(ids, rows, (r) => r.ticketId).map((list) => list.map((r) => r.label));
    }),
    participantsByTicket: new DataLoader<string, ParticipantRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(ticketParticipants)
        .where(anyId(ticketParticipants.ticketId, ids))
        .orderBy(asc(ticketParticipants.addedAt), asc(ticketParticipants.email));
      return groupByKey(ids, rows, (r) => r.ticketId);
    }),
    commentCountByTicket: new KnownLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ key: ticketComments.ticketId, n: sql<number>`count(*)::int` })
        .from(ticketComments)
        .where(anyId(ticketComments.ticketId, ids))
        .groupBy(ticketComments.ticketId);
      return counted(ids, rows);
    }),
    inboxesByBoard: new DataLoader<string, InboxRow[]>(async (ids) => {
      const rows = await db
        .select(inboxColumns)
        .from(ticketInboxes)
        .innerJoin(mailAccounts, eq(mailAccounts.id, ticketInboxes.mailAccountId))
        .where(anyId(ticketInboxes.boardId, ids))
        .orderBy(asc(ticketInboxes.createdAt), asc(ticketInboxes.id));
      return groupByKey(ids, rows, (r) => r.boardId);
    }),
    /** Outbound mail of comments: its status and error. */
    draftById: new DataLoader<string, { status: string; error: string | null } | null>(async (ids) => {
      const rows = await db
        .select({ id: emailDrafts.id, status: emailDrafts.status, error: emailDrafts.error })
        .from(emailDrafts)
        .where(anyId(emailDrafts.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    publicFormByBoard: new DataLoader<string, typeof publicForms.$inferSelect | null>(async (ids) => {
      const rows = await db.select().from(publicForms).where(anyId(publicForms.boardId, ids));
      const byId = new Map(rows.map((r) => [r.boardId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The tickets page of many boards with the same arguments, in one statement. */
    ticketsOfBoard: (
      filter: TicketFilter | null | undefined,
      order: TicketOrder | null | undefined,
      page: PageRequest,
    ) => {
      const key = JSON.stringify([filter, order, page]);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, Connection<TicketRow>>(async (boardIds) => {
          const byBoard = await pageTickets(db, anyId(tickets.boardId, boardIds), filter, order, page, true);
          return boardIds.map(
            (id) => byBoard.get(id) ?? emptyTicketPage(db, eq(tickets.boardId, id), filter, page, order),
          );
        });
        pages.set(key, loader);
      }
      return loader;
    },
    /** The comments page of many tickets, oldest first, in one statement. */
    commentsOfTicket: (page: PageRequest) => {
      const key = JSON.stringify(page);
      let loader = commentPages.get(key);
      if (!loader) {
        loader = new DataLoader((ticketIds: readonly string[]) => pageComments(db, ticketIds, page));
        commentPages.set(key, loader);
      }
      return loader;
    },
  };
}

export type TrackerLoaders = ReturnType<typeof createTrackerLoaders>;
