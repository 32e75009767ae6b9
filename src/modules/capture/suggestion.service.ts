import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { captureSuggestions, captures } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { AppError, ConflictError, InputError, NotFoundError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { dateInZone } from '../../shared/zones.js';
import { recordActivity } from '../activity/index.js';
import { defaultListId, settle } from './capture-triage.js';
import { ownCapture } from './capture.service.js';
import {
  type CaptureRow,
  type SuggestionEdit,
  type SuggestionKind,
  type SuggestionRow,
  SuggestionStatus,
} from './capture.type.js';
import { type StoredDraft, applyEdit, missingOf } from './drafts.js';
import { makeItem } from './suggestion-accept.js';

const MISSING: Record<string, string> = { listId: 'Choose a list: you have none to default to' };

/** Reviewing suggestions: edit, accept (the item is made as the viewer), reject. */
export class SuggestionService {
  constructor(private readonly app: App) {}

  async edit(viewer: Viewer, id: string, edit: SuggestionEdit): Promise<SuggestionRow> {
    return this.app.db.transaction(async (tx) => {
      const { capture, suggestion } = await this.locked(tx, viewer, id);
      if (decided(suggestion)) throw new ConflictError('The suggestion was already decided');
      const row = await this.patch(tx, viewer, suggestion, edit);
      await settle(tx, capture);
      return row;
    });
  }

  /** Accepting again returns the same suggestion; REJECTED: CONFLICT; FAILED: BAD_USER_INPUT. */
  async accept(viewer: Viewer, id: string, edit?: SuggestionEdit | null): Promise<SuggestionRow> {
    return this.app.db.transaction(async (tx) => {
      const { capture, suggestion: found } = await this.locked(tx, viewer, id);
      if (found.status === 'ACCEPTED') return found;
      if (found.status === 'REJECTED') throw new ConflictError('The suggestion was rejected');
      const suggestion = edit ? await this.patch(tx, viewer, found, edit) : found;
      if (suggestion.status === 'FAILED')
        throw new InputError({ id: suggestion.error ?? 'The suggestion failed: edit it first' });
      const missing = missingOf(suggestion.kind as SuggestionKind, suggestion.draft as StoredDraft);
      if (missing.length) throw new InputError(Object.fromEntries(missing.map((f) => [f, MISSING[f] ?? 'Required'])));
      const made = await makeItem(
        this.app,
        tx,
        viewer,
        suggestion.kind as SuggestionKind,
        suggestion.draft as StoredDraft,
        capture.source === 'EMAIL',
      );
      const changes =
        'failed' in made
          ? { status: SuggestionStatus.FAILED, error: made.failed }
          : {
              status: SuggestionStatus.ACCEPTED,
              resultType: made.type,
              resultId: made.id,
              decidedAt: new Date(),
              error: null,
            };
      const [row] = await tx
        .update(captureSuggestions)
        .set(changes)
        .where(eq(captureSuggestions.id, suggestion.id))
        .returning();
      if (!('failed' in made))
        await recordActivity(tx, {
          actorId: viewer.userId,
          verb: 'capture.accept',
          entityType: made.type,
          entityId: made.id,
          summary: `Accepted a suggestion of a capture`,
        });
      await settle(tx, capture);
      return row!;
    });
  }

  async reject(viewer: Viewer, id: string): Promise<SuggestionRow> {
    return this.app.db.transaction(async (tx) => {
      const { capture, suggestion } = await this.locked(tx, viewer, id);
      if (decided(suggestion)) throw new ConflictError('The suggestion was already decided');
      const [row] = await tx
        .update(captureSuggestions)
        .set({ status: SuggestionStatus.REJECTED, decidedAt: new Date() })
        .where(eq(captureSuggestions.id, suggestion.id))
        .returning();
      await settle(tx, capture);
      return row!;
    });
  }

  /** Each PROPOSED suggestion with nothing missing, one transaction each; a failure keeps its error. */
  async acceptAll(viewer: Viewer, captureId: string): Promise<CaptureRow> {
    const capture = await ownCapture(this.app.db, viewer, captureId);
    const rows = await this.app.db
      .select()
      .from(captureSuggestions)
      .where(
        and(eq(captureSuggestions.captureId, capture.id), eq(captureSuggestions.status, SuggestionStatus.PROPOSED)),
      )
      .orderBy(asc(captureSuggestions.position));
    for (const s of rows) {
      if (missingOf(s.kind as SuggestionKind, s.draft as StoredDraft).length) continue;
      try {
        await this.accept(viewer, s.id);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await this.app.db
          .update(captureSuggestions)
          .set({ error: error.message })
          .where(eq(captureSuggestions.id, s.id));
      }
    }
    return ownCapture(this.app.db, viewer, capture.id);
  }

  /** Applies an edit: the draft patched (or remade in another kind), PROPOSED again, the error cleared. */
  private async patch(tx: Tx, viewer: Viewer, s: SuggestionRow, edit: SuggestionEdit): Promise<SuggestionRow> {
    const defaults = {
      listId: await defaultListId(tx, viewer.userId),
      today: dateInZone(new Date(), viewer.user.timezone),
    };
    const next = applyEdit(s.kind as SuggestionKind, s.draft as StoredDraft, edit, defaults);
    const [row] = await tx
      .update(captureSuggestions)
      .set({ kind: next.kind, draft: next.draft, status: SuggestionStatus.PROPOSED, error: null })
      .where(eq(captureSuggestions.id, s.id))
      .returning();
    return row!;
  }

  /** The suggestion and its capture, the capture locked; NOT_FOUND unless the viewer's. */
  private async locked(tx: Tx, viewer: Viewer, id: string) {
    const [suggestionId] = validIds([id]);
    const [found] = suggestionId
      ? await tx
          .select({ captureId: captureSuggestions.captureId })
          .from(captureSuggestions)
          .innerJoin(captures, eq(captures.id, captureSuggestions.captureId))
          .where(and(eq(captureSuggestions.id, suggestionId), eq(captures.userId, viewer.userId)))
      : [];
    if (!found) throw new NotFoundError('Suggestion');
    const capture = await ownCapture(tx, viewer, found.captureId, true);
    const [suggestion] = await tx.select().from(captureSuggestions).where(eq(captureSuggestions.id, suggestionId!));
    if (!suggestion) throw new NotFoundError('Suggestion');
    return { capture, suggestion };
  }
}

const decided = (s: SuggestionRow) => s.status === 'ACCEPTED' || s.status === 'REJECTED';
