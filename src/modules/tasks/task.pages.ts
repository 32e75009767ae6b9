import { type SQL, and, eq, getTableColumns, ilike, inArray, isNotNull, lt, gte, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { listMembers, taskLabels, taskPriorityEnum, tasks } from '../../db/schema/index.js';
import { validIds } from '../../shared/ids.js';
import {
  type Connection,
  type CursorValue,
  type PageRequest,
  cursorCast,
  keysetAfter,
  keysetOrder,
  toConnection,
} from '../../shared/pagination.js';
import type { TaskFilter, TaskOrder } from './task.inputs.js';
import { OrderDirection, TaskOrderField, type TaskRow } from './task.type.js';

interface OrderSpec {
  expr: SQL | typeof tasks.position;
  dir: 'ASC' | 'DESC';
  cast: (v: string | number) => SQL;
  cursorOf: (row: TaskRow) => CursorValue;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const asTimestamp = cursorCast.timestamptz;

/** The sort expression, direction and cursor of a TaskOrder; POSITION ASC by default. */
export function taskOrder(order: TaskOrder | null | undefined): OrderSpec {
  const dir = order?.direction === OrderDirection.DESC ? 'DESC' : 'ASC';
  switch (order?.field ?? TaskOrderField.POSITION) {
    case TaskOrderField.DUE_AT:
      return { expr: tasks.dueAt as never, dir, cast: asTimestamp, cursorOf: (r) => [iso(r.dueAt), r.id] };
    case TaskOrderField.PRIORITY:
      return {
        expr: tasks.priority as never,
        dir,
        cast: cursorCast.enumOf('task_priority', taskPriorityEnum.enumValues),
        cursorOf: (r) => [r.priority, r.id],
      };
    case TaskOrderField.CREATED_AT:
      return { expr: tasks.createdAt as never, dir, cast: asTimestamp, cursorOf: (r) => [iso(r.createdAt), r.id] };
    case TaskOrderField.UPDATED_AT:
      return { expr: tasks.updatedAt as never, dir, cast: asTimestamp, cursorOf: (r) => [iso(r.updatedAt), r.id] };
    default:
      return { expr: tasks.position, dir, cast: cursorCast.int, cursorOf: (r) => [r.position, r.id] };
  }
}

/** WHERE for a TaskFilter. Label ids mean "has all of them". */
export function taskFilterSql(filter: TaskFilter | null | undefined): SQL | undefined {
  if (!filter) return undefined;
  const parts: Array<SQL | undefined> = [];
  if (filter.status?.length) parts.push(inArray(tasks.status, filter.status));
  if (filter.priority?.length) parts.push(inArray(tasks.priority, filter.priority));
  if (filter.assigneeId) {
    const [id] = validIds([filter.assigneeId]);
    parts.push(id ? eq(tasks.assigneeId, id) : sql`false`);
  }
  if (filter.dueBefore) parts.push(and(isNotNull(tasks.dueAt), lt(tasks.dueAt, filter.dueBefore)));
  if (filter.dueAfter) parts.push(gte(tasks.dueAt, filter.dueAfter));
  if (filter.labelIds?.length) {
    const ids = validIds(filter.labelIds);
    if (ids.length < new Set(filter.labelIds).size) parts.push(sql`false`);
    else {
      parts.push(
        sql`(select count(*) from ${taskLabels} where ${taskLabels.taskId} = ${tasks.id} and ${inArray(taskLabels.labelId, ids)}) = ${ids.length}`,
      );
    }
  }
  const term = filter.search?.trim();
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(or(ilike(tasks.title, pattern), ilike(tasks.notes, pattern)));
  }
  return and(...parts);
}

/** Lists the viewer is a member of, as a subquery. */
export function visibleListIds(viewerId: string) {
  return sql`(select ${listMembers.listId} from ${listMembers} where ${listMembers.userId} = ${viewerId})`;
}

/**
 * One statement for the pages of many lists (or of one scope when `partitionByList` is false):
 * window functions count each list's filtered set (totalCount) and number the rows after the cursor,
 * so each list gets its own `limit + 1` rows without a query per list.
 */
export async function pageTasks(
  q: Queryable,
  scope: SQL,
  filter: TaskFilter | null | undefined,
  order: TaskOrder | null | undefined,
  page: PageRequest,
  partitionByList: boolean,
): Promise<Map<string | null, Connection<TaskRow>>> {
  const spec = taskOrder(order);
  const orderSql = sql.join(keysetOrder(spec.expr, tasks.id, spec.dir), sql`, `);
  const past = keysetAfter(spec.expr, tasks.id, spec.dir, page.after, spec.cast) ?? sql`true`;
  const partition = partitionByList ? sql`partition by ${tasks.listId}` : sql``;
  const inner = q
    .select({
      ...getTableColumns(tasks),
      total: sql<number>`count(*) over (${partition})`.as('total'),
      past: sql<boolean>`(${past})`.as('past'),
      rank: sql<number>`count(*) filter (where ${past}) over (${partition} order by ${orderSql})`.as('rank'),
    })
    .from(tasks)
    .where(and(scope, taskFilterSql(filter)))
    .as('t');
  const rows = await q
    .select()
    .from(inner)
    .where(and(eq(inner.past, true), sql`${inner.rank} <= ${page.limit + 1}`))
    .orderBy(...(partitionByList ? [inner.listId, inner.rank] : [inner.rank]));
  const groups = new Map<string | null, { rows: TaskRow[]; total: number }>();
  for (const row of rows) {
    const key = partitionByList ? row.listId : null;
    const group = groups.get(key) ?? { rows: [], total: Number(row.total) };
    const { total: _t, past: _p, rank: _r, ...task } = row;
    group.rows.push(task);
    groups.set(key, group);
  }
  const result = new Map<string | null, Connection<TaskRow>>();
  for (const [key, group] of groups) result.set(key, toConnection(group.rows, page, spec.cursorOf, group.total));
  return result;
}

/** A page with no rows after the cursor: the count comes from its own query, only if asked for. */
export function emptyTaskPage(
  q: Queryable,
  scope: SQL,
  filter: TaskFilter | null | undefined,
  page: PageRequest,
  order: TaskOrder | null | undefined,
) {
  const count = async () => {
    const [row] = await q
      .select({ n: sql<number>`count(*)::int` })
      .from(tasks)
      .where(and(scope, taskFilterSql(filter)));
    return Number(row?.n ?? 0);
  };
  return toConnection<TaskRow>([], page, taskOrder(order).cursorOf, page.after ? count : 0);
}
