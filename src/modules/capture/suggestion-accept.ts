import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { journalEntries } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';
import { CalendarService } from '../calendar/index.js';
import { DocumentService } from '../documents/index.js';
import { JournalService } from '../journal/index.js';
import { TaskService } from '../tasks/index.js';
import { SuggestionKind } from './capture.type.js';
import type { StoredDocument, StoredDraft, StoredEvent, StoredJournal, StoredTask } from './drafts.js';

/** What accepting made: the item, or why it cannot be made (the suggestion becomes FAILED). */
export type Made = { type: string; id: string } | { failed: string };

/**
 * Makes the suggestion's item as the viewer, with the rules and errors of createTask, createEvent,
 * upsertJournalEntry and createDocument, inside the caller's transaction (their own transactions
 * become savepoints of it).
 */
export async function makeItem(
  app: App,
  tx: Tx,
  viewer: Viewer,
  kind: SuggestionKind,
  draft: StoredDraft,
  foreign: boolean,
): Promise<Made> {
  const bound = { ...app, db: tx };
  switch (kind) {
    case SuggestionKind.TASK: {
      const t = draft as StoredTask;
      const task = await new TaskService(bound).create(
        viewer,
        {
          listId: t.listId!,
          title: t.title,
          notes: t.notes,
          dueAt: t.dueAt ? new Date(t.dueAt) : null,
          dueAllDay: t.dueAllDay,
          priority: t.priority,
          labelIds: t.labelIds,
          projectId: t.projectId,
        },
        // Words from an email are not the viewer's own: the assistant treats them as outside text.
        { foreignText: foreign },
      );
      return { type: 'task', id: task.id };
    }
    case SuggestionKind.EVENT: {
      const e = draft as StoredEvent;
      const event = await new CalendarService(bound).create(viewer, {
        title: e.title,
        startsAt: new Date(e.startsAt),
        endsAt: new Date(e.endsAt),
        allDay: e.allDay,
        location: e.location,
        description: e.description,
      });
      return { type: 'event', id: event.id };
    }
    case SuggestionKind.JOURNAL_ENTRY:
      return journal(bound, tx, viewer, draft as StoredJournal);
    default: {
      const d = draft as StoredDocument;
      const doc = await new DocumentService(bound).create(viewer, { title: d.title, content: d.content });
      return { type: 'document', id: doc.id };
    }
  }
}

/**
 * append: the text joins the entry's "text" after a blank line (other keys kept), or {"text": ...}
 * is created when the day has none; an entry of another shape cannot be appended to. Not append:
 * creates the entry, CONFLICT when the day has one.
 */
async function journal(app: App, tx: Tx, viewer: Viewer, d: StoredJournal): Promise<Made> {
  const [entry] = await tx
    .select()
    .from(journalEntries)
    .where(
      and(eq(journalEntries.userId, viewer.userId), eq(journalEntries.type, d.type), eq(journalEntries.date, d.date)),
    )
    .for('update');
  let content: Record<string, unknown> = { text: d.text };
  if (entry && !d.append) throw new ConflictError(`The ${d.date} entry exists: append to it instead`, 'append');
  if (entry) {
    const before = entry.content;
    const shaped =
      typeof before === 'object' &&
      before !== null &&
      !Array.isArray(before) &&
      typeof (before as { text?: unknown }).text === 'string';
    if (!shaped) return { failed: 'The entry of that day is not plain text: add it by hand' };
    const old = before as { text: string };
    content = { ...old, text: `${old.text}\n\n${d.text}` };
  }
  const row = await new JournalService(app).upsert(viewer, { type: d.type, date: d.date, content });
  return { type: 'journal_entry', id: row.id };
}
