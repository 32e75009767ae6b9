import { type AnyColumn, type SQL, and, eq, gte, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { containsPattern } from '../../db/sql.js';
import {
  boardMembers,
  boardStates,
  boards,
  taskPriorityEnum,
  ticketComments,
  ticketLabels,
  tickets,
} from '../../db/schema/index.js';
import { InputError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import { normalizeEmail } from '../../shared/validation.js';
import { type Connection, type CursorValue, type PageRequest, cursorCast } from '../../shared/pagination.js';
import { emptyPage, windowPages } from '../../shared/window-pages.js';
import { OrderDirection } from '../tasks/index.js';
import type { TicketFilter, TicketOrder } from './tracker.inputs.js';
import { TicketOrderField, type TicketRow } from './ticket.type.js';

interface OrderSpec {
  expr: SQL;
  dir: 'ASC' | 'DESC';
  cast: (v: string | number) => SQL;
  cursorOf: (row: TicketRow) => CursorValue;
}

const iso = (d: Date) => d.toISOString();
const rankCast = (v: string | number): SQL => {
  if (typeof v !== 'string' || v.length > 200) throw new InputError({ after: 'Invalid cursor' });
  return sql`${v}::text collate "C"`;
};

/** The sort of a TicketOrder; RANK ASC by default (the rank compared byte by byte). */
export function ticketOrder(order: TicketOrder | null | undefined): OrderSpec {
  const dir = order?.direction === OrderDirection.DESC ? 'DESC' : 'ASC';
  const at = (col: AnyColumn, key: 'createdAt' | 'updatedAt' | 'lastActivityAt'): OrderSpec => ({
    expr: sql`${col}`,
    dir,
    cast: cursorCast.timestamptz,
    cursorOf: (r) => [iso(r[key]), r.id],
  });
  switch (order?.field ?? TicketOrderField.RANK) {
    case TicketOrderField.CREATED_AT:
      return at(tickets.createdAt, 'createdAt');
    case TicketOrderField.UPDATED_AT:
      return at(tickets.updatedAt, 'updatedAt');
    case TicketOrderField.LAST_ACTIVITY_AT:
      return at(tickets.lastActivityAt, 'lastActivityAt');
    case TicketOrderField.PRIORITY:
      return {
        expr: sql`${tickets.priority}`,
        dir,
        cast: cursorCast.enumOf('task_priority', taskPriorityEnum.enumValues),
        cursorOf: (r) => [r.priority, r.id],
      };
    default:
      return { expr: sql`${tickets.rank}`, dir, cast: rankCast, cursorOf: (r) => [r.rank, r.id] };
  }
}

/** WHERE for a TicketFilter. Label ids mean "has all of them"; search covers identifier and comments. */
export function ticketFilterSql(filter: TicketFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const parts: Array<SQL | undefined> = [];
  const ids = (values: string[], column: AnyColumn) => {
    const valid = validIds(values);
    return valid.length ? inArray(column, valid) : sql`false`;
  };
  if (filter.boardIds) parts.push(ids(filter.boardIds, tickets.boardId));
  if (filter.stateIds) parts.push(ids(filter.stateIds, tickets.stateId));
  if (filter.stateCategories)
    parts.push(
      filter.stateCategories.length
        ? sql`${tickets.stateId} in (select ${boardStates.id} from ${boardStates} where ${inArray(boardStates.category, filter.stateCategories)})`
        : sql`false`,
    );
  if (filter.triageStatus)
    parts.push(filter.triageStatus.length ? inArray(tickets.triageStatus, filter.triageStatus) : sql`false`);
  if (filter.priority) parts.push(filter.priority.length ? inArray(tickets.priority, filter.priority) : sql`false`);
  if (filter.channel) parts.push(filter.channel.length ? inArray(tickets.channel, filter.channel) : sql`false`);
  if (filter.assigneeId) {
    const [id] = validIds([filter.assigneeId]);
    parts.push(id ? eq(tickets.assigneeId, id) : sql`false`);
  }
  if (filter.unassigned === true) parts.push(isNull(tickets.assigneeId));
  if (filter.unassigned === false) parts.push(sql`${tickets.assigneeId} is not null`);
  if (filter.requesterEmail) parts.push(eq(tickets.requesterEmail, normalizeEmail(filter.requesterEmail)));
  if (filter.updatedAfter) parts.push(gte(tickets.updatedAt, filter.updatedAfter));
  if (filter.labelIds?.length) {
    const labels = validIds(filter.labelIds);
    if (labels.length < new Set(filter.labelIds).size) parts.push(sql`false`);
    else
      parts.push(
        sql`(select count(*) from ${ticketLabels} where ${ticketLabels.ticketId} = ${tickets.id} and ${inArray(ticketLabels.labelId, labels)}) = ${labels.length}`,
      );
  }
  const term = filter.search?.trim();
  if (term) {
    const pattern = containsPattern(term);
    parts.push(
      or(
        ilike(tickets.title, pattern),
        ilike(tickets.description, pattern),
        sql`((select ${boards.key} from ${boards} where ${boards.id} = ${tickets.boardId}) || '-' || ${tickets.number}) ilike ${pattern}`,
        sql`exists (select 1 from ${ticketComments} where ${ticketComments.ticketId} = ${tickets.id} and ${ticketComments.body} ilike ${pattern})`,
      ),
    );
  }
  return and(...parts);
}

/** Boards the viewer is a member of (with at least `roles`), as a subquery. */
export function visibleBoardIds(viewerId: string, roles?: Array<'OWNER' | 'EDITOR' | 'VIEWER'>) {
  const role = roles ? sql` and ${inArray(boardMembers.role, roles)}` : sql``;
  return sql`(select ${boardMembers.boardId} from ${boardMembers} where ${boardMembers.userId} = ${viewerId}${role})`;
}

/** Unconfirmed public submissions are outside every list. */
export const listed = eq(tickets.confirmed, true);

/** The pages of many boards in one statement (or one page of a scope when `byBoard` is false). */
export function pageTickets(
  q: Queryable,
  scope: SQL,
  filter: TicketFilter | null | undefined,
  order: TicketOrder | null | undefined,
  page: PageRequest,
  byBoard: boolean,
): Promise<Map<unknown, Connection<TicketRow>>> {
  const spec = ticketOrder(order);
  return windowPages<TicketRow>(
    q,
    tickets,
    and(scope, listed, ticketFilterSql(filter)),
    { ...spec, id: tickets.id },
    page,
    byBoard ? tickets.boardId : null,
  );
}

/** A page with no rows after the cursor: the count comes from its own query, only if asked for. */
export function emptyTicketPage(
  q: Queryable,
  scope: SQL,
  filter: TicketFilter | null | undefined,
  page: PageRequest,
  order: TicketOrder | null | undefined,
) {
  return emptyPage(q, tickets, and(scope, listed, ticketFilterSql(filter)), page, ticketOrder(order).cursorOf);
}
