import { and, eq, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { listMembers, pendingShares, taskLists, tasks } from '../../db/schema/index.js';
import type { UserRow } from '../users/index.js';
import { createNotifications } from '../notifications/index.js';

/** Registration: lists shared with this address before it had an account become memberships. */
export async function applyPendingShares(tx: Tx, user: UserRow): Promise<void> {
  const pending = await tx.delete(pendingShares).where(eq(pendingShares.email, user.email)).returning();
  if (pending.length === 0) return;
  await tx
    .insert(listMembers)
    .values(pending.map((p) => ({ listId: p.listId, userId: user.id, role: p.role })))
    .onConflictDoNothing();
  const lists = await tx
    .select({ id: taskLists.id, name: taskLists.name })
    .from(taskLists)
    .where(sql`${taskLists.id} in ${pending.map((p) => p.listId)}`);
  await createNotifications(
    tx,
    lists.map((l) => ({
      userId: user.id,
      kind: 'TASK_LIST_SHARED' as const,
      title: `"${l.name}" was shared with you`,
      entityType: 'task_list',
      entityId: l.id,
    })),
  );
}

/**
 * Account deletion: the user's own lists go with them, deleted here rather than left to the cascade
 * from users (PostgreSQL does not promise that cascade runs before the check of tasks.created_by_id);
 * tasks they created in lists of other people stay, credited to that list's owner.
 */
export async function releaseTasksOf(tx: Tx, userId: string): Promise<void> {
  await tx.delete(taskLists).where(eq(taskLists.ownerId, userId));
  await tx
    .update(tasks)
    .set({ createdById: sql`(select ${taskLists.ownerId} from ${taskLists} where ${taskLists.id} = ${tasks.listId})` })
    .where(
      and(
        eq(tasks.createdById, userId),
        sql`${tasks.listId} in (select ${taskLists.id} from ${taskLists} where ${ne(taskLists.ownerId, userId)})`,
      ),
    );
}
