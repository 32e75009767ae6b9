import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { listMembers, taskLists } from '../../db/schema/index.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { ListRole, type TaskListRow } from './task-list.type.js';

const RANK: Record<ListRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export type ListWithRole = TaskListRow & { myRole: ListRole };

/**
 * The list as the viewer sees it. Not a member: NOT_FOUND, exactly like a list that does not exist.
 * A member below `minimum`: FORBIDDEN. With `lock`, the list row is locked for the transaction
 * (every change of task positions in a list takes this lock first).
 */
export async function requireList(
  q: Queryable,
  viewerId: string,
  id: string,
  minimum: ListRole,
  lock = false,
): Promise<ListWithRole> {
  const listId = parseId(id, 'Task list');
  const query = q
    .select({ list: taskLists, role: listMembers.role })
    .from(taskLists)
    .innerJoin(listMembers, and(eq(listMembers.listId, taskLists.id), eq(listMembers.userId, viewerId)))
    .where(eq(taskLists.id, listId));
  const [row] = lock ? await query.for('update', { of: taskLists }) : await query;
  if (!row) throw new NotFoundError('Task list');
  const role = row.role as ListRole;
  if (RANK[role] < RANK[minimum])
    throw new ForbiddenError(minimum === ListRole.OWNER ? 'Only the owner may do this' : 'Viewers cannot change tasks');
  return { ...row.list, myRole: role };
}

export function atLeast(role: ListRole, minimum: ListRole): boolean {
  return RANK[role] >= RANK[minimum];
}
