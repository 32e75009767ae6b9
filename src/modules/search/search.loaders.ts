import DataLoader from 'dataloader';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  boardMembers,
  captures,
  documents,
  emailMessages,
  events,
  journalEntries,
  tasks,
  tickets,
} from '../../db/schema/index.js';
import { anyId } from '../../db/sql.js';
import { isUuid } from '../../shared/ids.js';
import { visibleEvents } from '../calendar/index.js';
import { visibleListIds } from '../tasks/index.js';
import { SearchableType, nodeTypes } from './search.type.js';

const { search: _search, ...documentColumns } = getTableColumns(documents);

/** The rows of one type the viewer can see, by id: one statement per type asked for. */
function loadOf(db: Db, viewerId: string, type: SearchableType, ids: string[]): Promise<Array<{ id: string }>> {
  switch (type) {
    case SearchableType.TASK:
      return db
        .select()
        .from(tasks)
        .where(and(anyId(tasks.id, ids), sql`${tasks.listId} in ${visibleListIds(viewerId)}`));
    case SearchableType.DOCUMENT:
      return db
        .select(documentColumns)
        .from(documents)
        .where(and(anyId(documents.id, ids), eq(documents.ownerId, viewerId)));
    case SearchableType.JOURNAL_ENTRY:
      return db
        .select()
        .from(journalEntries)
        .where(and(anyId(journalEntries.id, ids), eq(journalEntries.userId, viewerId)));
    case SearchableType.EVENT:
      return db
        .select()
        .from(events)
        .where(and(anyId(events.id, ids), visibleEvents(viewerId, false)));
    case SearchableType.EMAIL:
      return db
        .select()
        .from(emailMessages)
        .where(and(anyId(emailMessages.id, ids), eq(emailMessages.userId, viewerId)));
    case SearchableType.TICKET:
      return db
        .select({ ticket: tickets })
        .from(tickets)
        .innerJoin(boardMembers, and(eq(boardMembers.boardId, tickets.boardId), eq(boardMembers.userId, viewerId)))
        .where(and(anyId(tickets.id, ids), eq(tickets.confirmed, true)))
        .then((rows) => rows.map((r) => r.ticket));
    case SearchableType.CAPTURE:
      return db
        .select()
        .from(captures)
        .where(and(anyId(captures.id, ids), eq(captures.userId, viewerId)));
    default:
      return Promise.resolve([]);
  }
}

const GRAPHQL_TYPE: Record<string, string> = {
  TASK: 'Task',
  DOCUMENT: 'Document',
  JOURNAL_ENTRY: 'JournalEntry',
  EVENT: 'CalendarEvent',
  EMAIL: 'EmailMessage',
  TICKET: 'Ticket',
  CAPTURE: 'Capture',
};

/** Search hits' and relations' nodes, keyed `TYPE:id`; null when the viewer cannot see the item (any more). */
export function createSearchLoaders(db: Db, viewerId: string | null) {
  return {
    searchNode: new DataLoader<string, object | null>(async (keys) => {
      const byType = new Map<SearchableType, string[]>();
      for (const key of keys) {
        const [type, id] = key.split(':') as [SearchableType, string];
        if (!isUuid(id)) continue;
        byType.set(type, [...(byType.get(type) ?? []), id]);
      }
      const found = new Map<string, object>();
      if (viewerId) {
        for (const [type, ids] of byType) {
          for (const row of await loadOf(db, viewerId, type, ids)) {
            nodeTypes.set(row, GRAPHQL_TYPE[type]!);
            found.set(`${type}:${row.id}`, row);
          }
        }
      }
      return keys.map((k) => found.get(k) ?? null);
    }),
  };
}
export type SearchLoaders = ReturnType<typeof createSearchLoaders>;
