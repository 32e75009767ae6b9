import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { areas, listMembers, projects, taskLists, tasks } from '../../db/schema/index.js';
import { publish } from '../../shared/event-bus.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';

/**
 * Deletes the project's tasks in lists the viewer edits (or owns), keeping each list's positions
 * dense; tasks in lists the viewer only views stay (the project's deletion detaches them). Returns
 * how many went. The lists are locked in id order first, as every change of positions does.
 */
export async function deleteProjectTasks(tx: Tx, viewer: Viewer, projectId: string): Promise<number> {
  const editable = await tx
    .select({ id: taskLists.id })
    .from(taskLists)
    .innerJoin(listMembers, and(eq(listMembers.listId, taskLists.id), eq(listMembers.userId, viewer.userId)))
    .where(
      and(
        inArray(listMembers.role, ['OWNER', 'EDITOR']),
        sql`${taskLists.id} in (select ${tasks.listId} from ${tasks} where ${tasks.projectId} = ${projectId})`,
      ),
    )
    .orderBy(asc(taskLists.id))
    .for('update', { of: taskLists });
  const listIds = editable.map((l) => l.id);
  if (listIds.length === 0) return 0;
  const gone = await tx
    .delete(tasks)
    .where(and(eq(tasks.projectId, projectId), inArray(tasks.listId, listIds)))
    .returning({ id: tasks.id, listId: tasks.listId, title: tasks.title });
  await tx.execute(sql`
    update ${tasks} t set position = r.n - 1
    from (select id, row_number() over (partition by list_id order by position, id) as n
          from ${tasks} where ${inArray(tasks.listId, listIds)}) r
    where t.id = r.id and t.position <> r.n - 1`);
  await recordActivity(
    tx,
    ...gone.map((t) => ({
      actorId: viewer.userId,
      verb: 'task.deleted',
      entityType: 'task',
      entityId: t.id,
      listId: t.listId,
      summary: `Deleted "${t.title}" with its project`,
    })),
  );
  for (const t of gone)
    await publish(tx, { topic: 'task', listId: t.listId, taskId: t.id, kind: 'DELETED', actorId: viewer.userId });
  return gone.length;
}

/**
 * Account deletion: the user's projects and areas go before the user row (as their lists do), so
 * tasks in other people's lists lose the project by its own foreign key rather than in the cascade.
 */
export async function releaseProjectsOf(tx: Tx, userId: string): Promise<void> {
  await tx.delete(projects).where(eq(projects.ownerId, userId));
  await tx.delete(areas).where(eq(areas.ownerId, userId));
}
