import { z } from 'zod';
import { JournalEntryType } from '../../journal/index.js';
import { SearchableType } from '../../search/index.js';
import { TaskStatus } from '../../tasks/index.js';
import { day, defineTool, id, instant } from './tool.js';

const SHOWN = 20;

export const searchTasks = defineTool({
  name: 'search_tasks',
  description: 'Find tasks in the lists the user can see, by words in the title or notes, status or list.',
  risk: 'READ',
  schema: z.strictObject({
    query: z.string().max(200).optional(),
    status: z.enum(TaskStatus).optional(),
    listId: id('task list').optional(),
  }),
  async run(viewer, s, args) {
    const page = await s.tasks.search(
      viewer,
      SHOWN,
      null,
      { search: args.query ?? null, status: args.status ? [args.status] : null },
      null,
      args.listId,
    );
    const rows = page.edges.map((e) => e.node);
    return {
      result: {
        totalCount: await page.totalCount,
        tasks: rows.map((t) => ({
          id: t.id,
          listId: t.listId,
          title: t.title,
          notes: t.notes,
          status: t.status,
          priority: t.priority,
          dueAt: t.dueAt,
          writtenByUser: t.createdById === viewer.userId,
        })),
      },
      foreign: rows.some((t) => t.textAuthorId !== viewer.userId),
      summary: `searched tasks${args.query ? ` for “${args.query}”` : ''}`,
    };
  },
});

export const listEvents = defineTool({
  name: 'list_events',
  description: "List the calendar events (the user's own and those they are invited to) overlapping a time range.",
  risk: 'READ',
  schema: z.strictObject({ from: instant('Start of the range'), to: instant('End of the range') }),
  async run(viewer, s, args) {
    const rows = await s.calendar.range(viewer, new Date(args.from), new Date(args.to), false);
    return {
      result: {
        events: rows.slice(0, 50).map((e) => ({
          id: e.id,
          title: e.title,
          description: e.description,
          location: e.location,
          startsAt: e.startsAt,
          endsAt: e.endsAt,
          allDay: e.allDay,
          organizedByUser: e.organizerId === viewer.userId,
        })),
        more: rows.length > 50,
      },
      foreign: rows.some((e) => e.organizerId !== viewer.userId),
      summary: `listed events from ${args.from} to ${args.to}`,
    };
  },
});

export const searchDocuments = defineTool({
  name: 'search_documents',
  description: "Full-text search in the user's documents.",
  risk: 'READ',
  schema: z.strictObject({ query: z.string().min(1).max(200) }),
  async run(viewer, s, args) {
    const page = await s.documents.list(viewer, SHOWN, null, null, args.query);
    const rows = page.edges.map((e) => e.node);
    return {
      result: {
        documents: rows.map((d) => ({
          id: d.id,
          title: d.title,
          content: d.content.slice(0, 2000),
          updatedAt: d.updatedAt,
        })),
      },
      foreign: rows.some((d) => d.ownerId !== viewer.userId),
      summary: `searched documents for “${args.query}”`,
    };
  },
});

export const getJournalEntry = defineTool({
  name: 'get_journal_entry',
  description: "Read the user's journal entry of one type for one day.",
  risk: 'READ',
  schema: z.strictObject({ type: z.enum(JournalEntryType), date: day }),
  async run(viewer, s, args) {
    const entry = await s.journal.get(viewer, args.type, args.date);
    return {
      result: { entry: entry ? { id: entry.id, type: entry.type, date: entry.date, content: entry.content } : null },
      summary: `read the ${args.type} journal entry of ${args.date}`,
    };
  },
});

export const searchWorkspace = defineTool({
  name: 'search_workspace',
  description:
    'Search everything the user can see (tasks, documents, journal entries, events) by words; best matches first, with snippets.',
  risk: 'READ',
  schema: z.strictObject({
    query: z.string().min(1).max(200),
    types: z
      .array(z.enum([SearchableType.TASK, SearchableType.DOCUMENT, SearchableType.JOURNAL_ENTRY, SearchableType.EVENT]))
      .max(4)
      .optional(),
  }),
  async run(viewer, s, args) {
    const hits = await s.search.search(viewer, args.query, args.types ?? null, null, SHOWN);
    return {
      result: {
        hits: hits.map((h) => ({ type: h.type, id: h.id, title: h.title, snippet: h.snippet, writtenByUser: h.own })),
      },
      foreign: hits.some((h) => !h.own),
      summary: `searched the workspace for “${args.query}”`,
    };
  },
});
