import { type AnyColumn, type SQL, and, eq, ilike, inArray, isNotNull, lt, gte, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { containsPattern } from '../../db/sql.js';
import { listMembers, taskLabels, taskPriorityEnum, tasks } from '../../db/schema/index.js';
import { validIds } from '../../shared/ids.js';
import { type Connection, type CursorValue, type PageRequest, cursorCast } from '../../shared/pagination.js';
import { emptyPage, windowPages } from '../../shared/window-pages.js';
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
  if (filter.projectId) {
    const [id] = validIds([filter.projectId]);
    parts.push(id ? eq(tasks.projectId, id) : sql`false`);
  }
  const term = filter.search?.trim();
  if (term) {
    const pattern = containsPattern(term);
    parts.push(or(ilike(tasks.title, pattern), ilike(tasks.notes, pattern)));
  }
  return and(...parts);
}

/** Lists the viewer is a member of, as a subquery. */
export function visibleListIds(viewerId: string) {
  return sql`(select ${listMembers.listId} from ${listMembers} where ${listMembers.userId} = ${viewerId})`;
}

/** The pages of many lists (or projects) in one statement, keyed by `partitionBy`; null: one page of a scope. */
export async function pageTasks(
  q: Queryable,
  scope: SQL,
  filter: TaskFilter | null | undefined,
  order: TaskOrder | null | undefined,
  page: PageRequest,
  partitionBy: AnyColumn | null,
): Promise<Map<unknown, Connection<TaskRow>>> {
  const spec = taskOrder(order);
  return windowPages<TaskRow>(
    q,
    tasks,
    and(scope, taskFilterSql(filter)),
    { ...spec, id: tasks.id },
    page,
    partitionBy,
  );
}

/** A page with no rows after the cursor: the count comes from its own query, only if asked for. */
export function emptyTaskPage(
  q: Queryable,
  scope: SQL,
  filter: TaskFilter | null | undefined,
  page: PageRequest,
  order: TaskOrder | null | undefined,
) {
  return emptyPage(q, tasks, and(scope, taskFilterSql(filter)), page, taskOrder(order).cursorOf);
}
