import { z } from 'zod';
import { ListRole } from '../../tasks/index.js';
import { defineTool, id } from './tool.js';

/** Tools whose effect reaches other people or cannot be undone: they always wait for approval. */
export const shareTaskList = defineTool({
  name: 'share_task_list',
  description: 'Share a task list the user owns with someone, by email address, as EDITOR or VIEWER.',
  risk: 'EXTERNAL',
  schema: z.strictObject({
    listId: id('task list'),
    email: z.string().max(320),
    role: z.enum([ListRole.EDITOR, ListRole.VIEWER]),
  }),
  async run(viewer, s, a) {
    const list = await s.taskLists.share(viewer, a.listId, a.email, a.role);
    return {
      result: { list: { id: list.id, name: list.name }, sharedWith: a.email, role: a.role },
      entity: { type: 'task_list', id: list.id, listId: list.id },
      summary: `shared the list “${list.name}” with ${a.email}`,
    };
  },
});

export const inviteToEvent = defineTool({
  name: 'invite_to_event',
  description: 'Invite people, by email address, to an event the user organizes.',
  risk: 'EXTERNAL',
  schema: z.strictObject({ eventId: id('event'), emails: z.array(z.string().max(320)).min(1).max(50) }),
  async run(viewer, s, a) {
    const rows = await s.calendar.invite(viewer, a.eventId, a.emails);
    return {
      result: { eventId: a.eventId, invited: rows.map((r) => r.email) },
      entity: { type: 'event', id: a.eventId },
      summary: `invited ${rows.length} people to an event`,
    };
  },
});

export const deleteTask = defineTool({
  name: 'delete_task',
  description: 'Delete a task.',
  risk: 'EXTERNAL',
  schema: z.strictObject({ taskId: id('task') }),
  async run(viewer, s, a) {
    const task = await s.tasks.get(viewer, a.taskId);
    await s.tasks.delete(viewer, a.taskId);
    return {
      result: { deletedTaskId: a.taskId, title: task.title },
      entity: { type: 'task', id: a.taskId, listId: task.listId },
      summary: `deleted the task “${task.title}”`,
    };
  },
});
