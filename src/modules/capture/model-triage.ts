import { and, eq, max } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { captureSuggestions, captures, journalEntries } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import type { Viewer } from '../../shared/viewer.js';
import { dateInZone } from '../../shared/zones.js';
import { UsageService } from '../usage/index.js';
import {
  MAX_SUGGESTIONS,
  type SourceLine,
  announceCapture,
  defaultListId,
  grammarTriage,
  ready,
  settle,
} from './capture-triage.js';
import { CaptureStatus, type CaptureRow, type SuggestionKind } from './capture.type.js';
import type { StoredDraft } from './drafts.js';
import { quickAddNames } from './quick-add.service.js';

/** The job kind of model triage (its handler lives with the assistant, which owns the model). */
export const MODEL_TRIAGE = 'capture-model-triage';
export const BUDGET_SPENT = 'model triage skipped: token budget spent';

/** One suggestion as the model proposed it: its draft, or FAILED with the reason its arguments were refused. */
export interface Proposal {
  kind: SuggestionKind;
  draft: StoredDraft;
  confidence: number | null;
  sourceText: string | null;
  error: string | null;
}

/**
 * Triage of a capture whose text is known. Without a model, or with the month's tokens spent (the
 * capture's error says so), the quick-add grammar runs now in `tx`; with one, the capture is TRIAGING
 * and a job (sent in `tx`) makes the model call.
 */
export async function startTriage(
  tx: Tx,
  app: App,
  viewer: Viewer,
  capture: CaptureRow,
  lines?: SourceLine[],
): Promise<CaptureRow> {
  const withModel = !!app.config.LLM_BASE_URL;
  const spent = withModel && (await new UsageService(app).get(viewer, null, tx)).remainingTokens <= 0;
  if (!withModel || spent) {
    await grammarTriage(tx, viewer, capture, lines);
    const row = await settle(tx, capture, true);
    if (!spent) return row;
    const [marked] = await tx.update(captures).set({ error: BUDGET_SPENT }).where(eq(captures.id, row.id)).returning();
    return marked!;
  }
  const [row] = await tx
    .update(captures)
    .set({ status: CaptureStatus.TRIAGING, updatedAt: new Date() })
    .where(eq(captures.id, capture.id))
    .returning();
  await app.jobs.send(tx, MODEL_TRIAGE, `capture:${capture.id}`, { captureId: capture.id }, viewer.userId);
  await announceCapture(tx, row!);
  return row!;
}

/** What the model is told about the person: now, their zone, week start, names, and today's reflection. */
export async function triageContext(app: App, viewer: Viewer) {
  const names = await quickAddNames(app.db, viewer.userId);
  const zone = viewer.user.timezone;
  const today = dateInZone(new Date(), zone);
  const [reflection] = await app.db
    .select({ id: journalEntries.id })
    .from(journalEntries)
    .where(
      and(
        eq(journalEntries.userId, viewer.userId),
        eq(journalEntries.type, 'DAILY_REFLECTION'),
        eq(journalEntries.date, today),
      ),
    );
  return {
    now: new Date().toISOString(),
    timezone: zone,
    today,
    // Settings (parts/lifeos.graphql) are not built yet: weeks start on Monday.
    weekStart: 'MONDAY',
    lists: names.lists,
    projects: names.projects,
    labels: names.labels,
    dailyReflectionExists: !!reflection,
    defaultListId: await defaultListId(app.db, viewer.userId),
  };
}

/**
 * Stores what model triage made of a TRIAGING capture, with `meter` (the call's usage) in the same
 * transaction: at most 20 suggestions after the existing ones, the capture's status from them (none:
 * NEW), and one CAPTURE_READY. `grammar` instead runs the quick-add grammar (the budget was spent).
 */
export async function finishModelTriage(
  app: App,
  captureId: string,
  outcome: { proposals: Proposal[] } | { grammar: Viewer; error: string } | { failed: string },
  meter?: (tx: Tx) => Promise<void>,
): Promise<void> {
  await app.db.transaction(async (tx) => {
    const [capture] = await tx.select().from(captures).where(eq(captures.id, captureId)).for('update');
    if (capture?.status !== 'TRIAGING') return;
    await meter?.(tx);
    if ('failed' in outcome) {
      const [row] = await tx
        .update(captures)
        .set({ status: CaptureStatus.FAILED, error: outcome.failed, processedAt: new Date(), updatedAt: new Date() })
        .where(eq(captures.id, captureId))
        .returning();
      return ready(tx, row!);
    }
    if ('grammar' in outcome) {
      await grammarTriage(tx, outcome.grammar, capture);
    } else if (outcome.proposals.length) {
      const [{ last } = { last: null }] = await tx
        .select({ last: max(captureSuggestions.position) })
        .from(captureSuggestions)
        .where(eq(captureSuggestions.captureId, captureId));
      const start = last === null ? 0 : Number(last) + 1;
      await tx.insert(captureSuggestions).values(
        outcome.proposals.slice(0, MAX_SUGGESTIONS).map((p, i) => ({
          captureId,
          position: start + i,
          kind: p.kind,
          status: p.error ? ('FAILED' as const) : ('PROPOSED' as const),
          draft: p.draft,
          confidence: p.confidence,
          sourceText: p.sourceText,
          error: p.error,
        })),
      );
    }
    const row = await settle(tx, capture, true);
    const error = 'grammar' in outcome ? outcome.error : null;
    const [marked] = error
      ? await tx.update(captures).set({ error }).where(eq(captures.id, captureId)).returning()
      : [row];
    await ready(tx, marked!, false);
  });
}
