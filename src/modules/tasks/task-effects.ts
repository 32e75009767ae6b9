import type { Tx } from '../../db/client.js';
import { publish } from '../../shared/event-bus.js';
import type { Viewer } from '../../shared/viewer.js';
import { createNotifications } from '../notifications/index.js';
import type { ListWithRole } from './list-access.js';
import type { TaskChangeKind, TaskRow } from './task.type.js';

/** TASK_ASSIGNED to a new assignee other than the viewer, in the writer's transaction. */
export async function notifyAssignee(
  tx: Tx,
  viewer: Viewer,
  task: TaskRow,
  list: ListWithRole,
  before: string | null,
): Promise<void> {
  if (!task.assigneeId || task.assigneeId === before || task.assigneeId === viewer.userId) return;
  const who = viewer.user.name ?? viewer.user.email;
  await createNotifications(tx, [
    {
      userId: task.assigneeId,
      kind: 'TASK_ASSIGNED',
      title: `${who} assigned you "${task.title}"`,
      body: `In "${list.name}"`,
      entityType: 'task',
      entityId: task.id,
    },
  ]);
}

/** taskListChanged: an event with ids only, sent on commit. */
export async function announceTask(
  tx: Tx,
  viewer: Viewer,
  listId: string,
  taskId: string,
  kind: TaskChangeKind,
): Promise<void> {
  await publish(tx, { topic: 'task', listId, taskId, kind, actorId: viewer.userId });
}
