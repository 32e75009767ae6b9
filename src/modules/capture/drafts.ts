import { InputError } from '../../shared/errors.js';
import { JournalEntryType } from '../journal/index.js';
import type { TaskPriority } from '../tasks/index.js';
import {
  DocumentDraft,
  EventDraft,
  JournalDraft,
  type SuggestionEdit,
  SuggestionKind,
  TaskDraft,
} from './capture.type.js';

/** Drafts as stored (jsonb): instants as ISO strings. */
export interface StoredTask {
  listId: string | null;
  projectId: string | null;
  title: string;
  notes: string | null;
  dueAt: string | null;
  dueAllDay: boolean;
  priority: TaskPriority | null;
  labelIds: string[];
}
export interface StoredEvent {
  title: string;
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  location: string | null;
  description: string | null;
}
export interface StoredJournal {
  type: JournalEntryType;
  date: string;
  text: string;
  append: boolean;
}
export interface StoredDocument {
  title: string;
  content: string;
}
export type StoredDraft = StoredTask | StoredEvent | StoredJournal | StoredDocument;

const HOUR = 3_600_000;

/** The GraphQL object of a stored draft (the union resolves by class). */
export function draftObject(kind: SuggestionKind, d: StoredDraft) {
  switch (kind) {
    case SuggestionKind.TASK: {
      const t = d as StoredTask;
      return Object.assign(new TaskDraft(), { ...t, dueAt: t.dueAt ? new Date(t.dueAt) : null });
    }
    case SuggestionKind.EVENT: {
      const e = d as StoredEvent;
      return Object.assign(new EventDraft(), { ...e, startsAt: new Date(e.startsAt), endsAt: new Date(e.endsAt) });
    }
    case SuggestionKind.JOURNAL_ENTRY:
      return Object.assign(new JournalDraft(), d);
    default:
      return Object.assign(new DocumentDraft(), d);
  }
}

/** Draft fields the user must set before accepting. */
export function missingOf(kind: SuggestionKind, d: StoredDraft): string[] {
  if (kind === SuggestionKind.TASK && !(d as StoredTask).listId) return ['listId'];
  return [];
}

/** The words a draft is about, to carry over when its kind changes. */
function wordsOf(kind: SuggestionKind, d: StoredDraft): string {
  if (kind === SuggestionKind.JOURNAL_ENTRY) return (d as StoredJournal).text;
  return (d as { title: string }).title;
}

const iso = (v: Date | null | undefined) => (v ? v.toISOString() : null);
const kept = <T>(given: T | null | undefined, before: T): T => (given === undefined || given === null ? before : given);

/**
 * Applies a SuggestionEdit: exactly one member (else BAD_USER_INPUT); a member of the same kind patches
 * the draft, one of another kind makes a new draft of that kind from the words and the edit.
 */
export function applyEdit(
  kind: SuggestionKind,
  draft: StoredDraft,
  edit: SuggestionEdit,
  defaults: { listId: string | null; today: string },
): { kind: SuggestionKind; draft: StoredDraft } {
  const members = (['task', 'event', 'journal', 'document'] as const).filter((m) => edit[m] != null);
  if (members.length !== 1) throw new InputError({ edit: 'Give exactly one of task, event, journal and document' });
  const words = wordsOf(kind, draft);
  if (edit.task) {
    const b = kind === SuggestionKind.TASK ? (draft as StoredTask) : blankTask(words, defaults.listId);
    const e = edit.task;
    const t: StoredTask = {
      listId: e.listId !== undefined ? e.listId : b.listId,
      projectId: e.projectId !== undefined ? e.projectId : b.projectId,
      title: kept(e.title, b.title),
      notes: e.notes !== undefined ? e.notes : b.notes,
      dueAt: e.dueAt !== undefined ? iso(e.dueAt) : b.dueAt,
      dueAllDay: e.dueAt !== undefined && e.dueAllDay == null ? false : kept(e.dueAllDay, b.dueAllDay),
      priority: e.priority !== undefined ? e.priority : b.priority,
      labelIds: kept(e.labelIds, b.labelIds),
    };
    if (t.dueAllDay && !t.dueAt) throw new InputError({ dueAllDay: 'An all-day due date needs a due date' });
    return { kind: SuggestionKind.TASK, draft: t };
  }
  if (edit.event) {
    const e = edit.event;
    const b = kind === SuggestionKind.EVENT ? (draft as StoredEvent) : null;
    const startsAt = e.startsAt ? e.startsAt.toISOString() : b?.startsAt;
    if (!startsAt) throw new InputError({ startsAt: 'An event needs a start' });
    const endsAt = e.endsAt
      ? e.endsAt.toISOString()
      : e.startsAt || !b
        ? new Date(Date.parse(startsAt) + HOUR).toISOString()
        : b.endsAt;
    const ev: StoredEvent = {
      title: kept(e.title, b?.title ?? words),
      startsAt,
      endsAt,
      allDay: kept(e.allDay, b?.allDay ?? false),
      location: e.location !== undefined ? e.location : (b?.location ?? null),
      description: e.description !== undefined ? e.description : (b?.description ?? null),
    };
    return { kind: SuggestionKind.EVENT, draft: ev };
  }
  if (edit.journal) {
    const e = edit.journal;
    const b: StoredJournal =
      kind === SuggestionKind.JOURNAL_ENTRY
        ? (draft as StoredJournal)
        : { type: JournalEntryType.DAILY_REFLECTION, date: defaults.today, text: words, append: true };
    return {
      kind: SuggestionKind.JOURNAL_ENTRY,
      draft: {
        type: kept(e.type, b.type),
        date: kept(e.date, b.date),
        text: kept(e.text, b.text),
        append: kept(e.append, b.append),
      },
    };
  }
  const e = edit.document!;
  const b: StoredDocument =
    kind === SuggestionKind.DOCUMENT ? (draft as StoredDocument) : { title: words, content: words };
  return {
    kind: SuggestionKind.DOCUMENT,
    draft: { title: kept(e.title, b.title), content: kept(e.content, b.content) },
  };
}

export function blankTask(title: string, listId: string | null): StoredTask {
  return { listId, projectId: null, title, notes: null, dueAt: null, dueAllDay: false, priority: null, labelIds: [] };
}
