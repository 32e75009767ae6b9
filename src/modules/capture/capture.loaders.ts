import DataLoader from 'dataloader';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { captureSuggestions, documents, events, journalEntries, listMembers, tasks } from '../../db/schema/index.js';
import { groupByKey } from '../../shared/group-by-key.js';
import { visibleEvents } from '../calendar/index.js';
import { RESULT_TYPE, type SuggestionRow } from './capture.type.js';

const GRAPHQL_TYPE: Record<string, string> = {
  task: 'Task',
  event: 'CalendarEvent',
  journal_entry: 'JournalEntry',
  document: 'Document',
};

/** Per-request loaders of captures: suggestions by capture, and the items accepted suggestions made. */
export function createCaptureLoaders(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? '00000000-0000-0000-0000-000000000000';
  return {
    suggestionsByCapture: new DataLoader<string, SuggestionRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(captureSuggestions)
        .where(anyId(captureSuggestions.captureId, ids))
        .orderBy(asc(captureSuggestions.position));
      return groupByKey(ids, rows, (r) => r.captureId);
    }),
    /** `type:id` → the item as the viewer may see it now (null once deleted or out of reach), one statement per type. */
    resultByRef: new DataLoader<string, object | null>(async (refs) => {
      const byType = new Map<string, string[]>();
      for (const ref of refs) {
        const [type, id] = ref.split(':') as [string, string];
        byType.set(type, [...(byType.get(type) ?? []), id]);
      }
      const found = new Map<string, object>();
      const keep = (type: string, rows: Array<{ id: string }>) => {
        for (const r of rows) found.set(`${type}:${r.id}`, { ...r, [RESULT_TYPE]: GRAPHQL_TYPE[type] });
      };
      for (const [type, ids] of byType) {
        if (type === 'task') {
          const rows = await db
            .select({ task: tasks })
            .from(tasks)
            .innerJoin(listMembers, and(eq(listMembers.listId, tasks.listId), eq(listMembers.userId, viewer)))
            .where(inArray(tasks.id, ids));
          keep(
            type,
            rows.map((r) => r.task),
          );
        } else if (type === 'event')
          keep(
            type,
            await db
              .select()
              .from(events)
              .where(and(inArray(events.id, ids), visibleEvents(viewer))),
          );
        else if (type === 'journal_entry')
          keep(
            type,
            await db
              .select()
              .from(journalEntries)
              .where(and(inArray(journalEntries.id, ids), eq(journalEntries.userId, viewer))),
          );
        else if (type === 'document')
          keep(
            type,
            await db
              .select()
              .from(documents)
              .where(and(inArray(documents.id, ids), eq(documents.ownerId, viewer))),
          );
      }
      return refs.map((ref) => found.get(ref) ?? null);
    }),
  };
}

export type CaptureLoaders = ReturnType<typeof createCaptureLoaders>;
