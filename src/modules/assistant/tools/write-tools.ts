import { z } from 'zod';
import { JournalEntryType } from '../../journal/index.js';
import { TaskPriority, TaskStatus } from '../../tasks/index.js';
import { day, defineTool, id, instant } from './tool.js';

const text = (max: number) => z.string().max(max);

export const createTask = defineTool({
  name: 'create_task',
  description: 'Create a task in a task list the user may edit.',
  risk: 'WRITE',
  schema: z.strictObject({
    listId: id('task list'),
    title: text(500),
    notes: text(20_000).optional(),
    dueAt: instant('When it is due').optional(),
    dueAllDay: z.boolean().describe('The due date is a day, not a time').optional(),
    priority: z.enum(TaskPriority).optional(),
    projectId: id("one of the user's projects").optional(),
  }),
  publishes: (viewer, s, a) => s.taskLists.sharedWithOthers(viewer, { listId: a.listId }),
  async run(viewer, s, a) {
    const t = await s.tasks.create(viewer, {
      listId: a.listId,
      title: a.title,
      notes: a.notes ?? null,
      dueAt: a.dueAt ? new Date(a.dueAt) : null,
      dueAllDay: a.dueAllDay ?? null,
      priority: a.priority ?? null,
      projectId: a.projectId ?? null,
    });
    return {
      result: { task: { id: t.id, listId: t.listId, title: t.title, dueAt: t.dueAt, priority: t.priority } },
      entity: { type: 'task', id: t.id, listId: t.listId },
      summary: `created the task “${t.title}”`,
    };
  },
});

export const updateTask = defineTool({
  name: 'update_task',
  description: 'Change a task: title, notes, status, due date (null clears it) or priority.',
  risk: 'WRITE',
  schema: z.strictObject({
    taskId: id('task'),
    title: text(500).optional(),
    notes: text(20_000).optional(),
    status: z.enum(TaskStatus).optional(),
    dueAt: instant('When it is due').nullable().optional(),
    priority: z.enum(TaskPriority).optional(),
  }),
  publishes: (viewer, s, a) => s.taskLists.sharedWithOthers(viewer, { taskId: a.taskId }),
  async run(viewer, s, { taskId, dueAt, ...rest }) {
    const t = await s.tasks.update(viewer, taskId, {
      ...rest,
      ...(dueAt !== undefined ? { dueAt: dueAt === null ? null : new Date(dueAt) } : {}),
    });
    return {
      result: { task: { id: t.id, title: t.title, status: t.status, dueAt: t.dueAt, priority: t.priority } },
      entity: { type: 'task', id: t.id, listId: t.listId },
      summary: `updated the task “${t.title}”`,
    };
  },
});

export const createEvent = defineTool({
  name: 'create_event',
  description: "Add an event to the user's calendar.",
  risk: 'WRITE',
  schema: z.strictObject({
    title: text(500),
    startsAt: instant('Start'),
    endsAt: instant('End'),
    location: text(500).optional(),
    description: text(10_000).optional(),
  }),
  async run(viewer, s, a) {
    const e = await s.calendar.create(viewer, {
      title: a.title,
      startsAt: new Date(a.startsAt),
      endsAt: new Date(a.endsAt),
      location: a.location ?? null,
      description: a.description ?? null,
    });
    return {
      result: { event: { id: e.id, title: e.title, startsAt: e.startsAt, endsAt: e.endsAt } },
      entity: { type: 'event', id: e.id },
      summary: `created the event “${e.title}”`,
    };
  },
});

export const createDocument = defineTool({
  name: 'create_document',
  description: 'Write a new document.',
  risk: 'WRITE',
  schema: z.strictObject({ title: text(500), content: text(1_000_000) }),
  async run(viewer, s, a) {
    const d = await s.documents.create(viewer, { title: a.title, content: a.content });
    return {
      result: { document: { id: d.id, title: d.title, wordCount: d.wordCount } },
      entity: { type: 'document', id: d.id },
      summary: `wrote the document “${d.title}”`,
    };
  },
});

export const writeJournalEntry = defineTool({
  name: 'write_journal_entry',
  description: "Write (or replace) the user's journal entry of one type for one day; content is text or a JSON object.",
  risk: 'WRITE',
  schema: z.strictObject({
    type: z.enum(JournalEntryType),
    date: day,
    content: z.union([text(100_000), z.record(z.string(), z.unknown())]),
  }),
  async run(viewer, s, a) {
    const j = await s.journal.upsert(viewer, { type: a.type, date: a.date, content: a.content });
    return {
      result: { entry: { id: j.id, type: j.type, date: j.date, wordCount: j.wordCount } },
      entity: { type: 'journal_entry', id: j.id },
      summary: `wrote the ${a.type} journal entry of ${a.date}`,
    };
  },
});
