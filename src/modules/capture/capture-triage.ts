import { and, asc, eq, inArray, max } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { captureSuggestions, captures, taskLists } from '../../db/schema/index.js';
import { publish } from '../../shared/event-bus.js';
import { createNotifications } from '../notifications/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { CaptureStatus, SuggestionStatus, type CaptureRow } from './capture.type.js';
import type { StoredTask } from './drafts.js';
import { parseQuickAdd } from './quick-add.js';
import { quickAddNames } from './quick-add.service.js';

/** At most this many suggestions a capture; the grammar reads this many non-empty lines. */
export const MAX_SUGGESTIONS = 20;

/** The list a task draft defaults to: the viewer's first own list (none: the draft misses listId). */
export async function defaultListId(tx: Queryable, userId: string): Promise<string | null> {
  const [list] = await tx
    .select({ id: taskLists.id })
    .from(taskLists)
    .where(eq(taskLists.ownerId, userId))
    .orderBy(asc(taskLists.position))
    .limit(1);
  return list?.id ?? null;
}

/** A piece of the capture triage reads: a line of text, or a segment of a transcript with its times. */
export interface SourceLine {
  text: string;
  start?: number;
  end?: number;
}

/** The lines of a capture's text: each non-empty one, trimmed. */
export const textLines = (text: string | null): SourceLine[] =>
  (text ?? '')
    .split('\n')
    .map((l) => ({ text: l.trim() }))
    .filter((l) => l.text);

/**
 * Triage without a model: each non-empty line (the first 20) becomes a TASK suggestion read by the
 * quick-add grammar in the viewer's timezone, placed after the capture's existing suggestions. A
 * voice capture's lines are its transcript's segments, so each suggestion keeps its place in the audio.
 */
export async function grammarTriage(
  tx: Tx,
  viewer: Viewer,
  capture: CaptureRow,
  source: SourceLine[] = textLines(capture.text),
): Promise<number> {
  const lines = source.slice(0, MAX_SUGGESTIONS);
  if (lines.length === 0) return 0;
  const names = await quickAddNames(tx, viewer.userId);
  const fallback = await defaultListId(tx, viewer.userId);
  const [{ last } = { last: null }] = await tx
    .select({ last: max(captureSuggestions.position) })
    .from(captureSuggestions)
    .where(eq(captureSuggestions.captureId, capture.id));
  const start = last === null ? 0 : Number(last) + 1;
  const now = new Date();
  await tx.insert(captureSuggestions).values(
    lines.map((line, i) => {
      const r = parseQuickAdd(line.text, { now, zone: viewer.user.timezone, names });
      const draft: StoredTask = {
        listId: r.listId ?? fallback,
        projectId: r.projectId,
        title: r.title,
        notes: r.notes,
        dueAt: r.dueAt?.toISOString() ?? null,
        dueAllDay: r.dueAllDay,
        priority: r.priority as StoredTask['priority'],
        labelIds: r.labelIds,
      };
      return {
        captureId: capture.id,
        position: start + i,
        kind: 'TASK' as const,
        status: 'PROPOSED' as const,
        draft,
        sourceText: line.text,
        sourceStart: line.start ?? null,
        sourceEnd: line.end ?? null,
      };
    }),
  );
  return lines.length;
}

/** Drops the undecided suggestions (PROPOSED, FAILED); decided ones and their items stay. */
export async function dropUndecided(tx: Tx, captureId: string): Promise<void> {
  await tx
    .delete(captureSuggestions)
    .where(
      and(
        eq(captureSuggestions.captureId, captureId),
        inArray(captureSuggestions.status, [SuggestionStatus.PROPOSED, SuggestionStatus.FAILED]),
      ),
    );
}

/**
 * The capture's status from its suggestions (an ARCHIVED one stays archived): none NEW, all decided
 * DONE, else NEEDS_REVIEW. Announces the change on commit.
 */
export async function settle(tx: Tx, capture: CaptureRow, processed = false): Promise<CaptureRow> {
  const rows = await tx
    .select({ status: captureSuggestions.status })
    .from(captureSuggestions)
    .where(eq(captureSuggestions.captureId, capture.id));
  const decided = rows.every((r) => r.status === 'ACCEPTED' || r.status === 'REJECTED');
  const status =
    capture.status === 'ARCHIVED'
      ? CaptureStatus.ARCHIVED
      : rows.length === 0
        ? CaptureStatus.NEW
        : decided
          ? CaptureStatus.DONE
          : CaptureStatus.NEEDS_REVIEW;
  const [row] = await tx
    .update(captures)
    .set({ status, updatedAt: new Date(), ...(processed ? { processedAt: new Date(), error: null } : {}) })
    .where(eq(captures.id, capture.id))
    .returning();
  await announceCapture(tx, row!);
  return row!;
}

export async function announceCapture(tx: Tx, capture: CaptureRow, deleted = false): Promise<void> {
  await publish(tx, { topic: 'capture', userId: capture.userId, captureId: capture.id, deleted });
}

/** Background work on the capture ended: one CAPTURE_READY, and captureChanged. */
export async function ready(tx: Tx, capture: CaptureRow, announce = true): Promise<void> {
  await createNotifications(tx, [
    {
      userId: capture.userId,
      kind: 'CAPTURE_READY',
      title: capture.status === 'FAILED' ? 'A voice capture could not be read' : 'A voice capture is ready',
      body: capture.error,
      entityType: 'capture',
      entityId: capture.id,
    },
  ]);
  if (announce) await announceCapture(tx, capture);
}
