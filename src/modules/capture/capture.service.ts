import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { captures, emailMessages } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import {
  PER_MINUTE,
  captureByKey,
  captureText,
  clientKeyOf,
  freeOldKey,
  withoutControls,
  TEXT_MAX,
} from './capture-input.js';
import { announceCapture, dropUndecided, settle } from './capture-triage.js';
import { startTriage } from './model-triage.js';
import { TRANSCRIBE, dropAudio } from './transcribe-job.js';
import { type CaptureRow, CaptureSource, CaptureStatus, type CreateCaptureInput } from './capture.type.js';

const CLIENT_SOURCES = new Set([CaptureSource.APP, CaptureSource.API, CaptureSource.SHARE]);

/** The viewer's capture; NOT_FOUND for anyone else's, a malformed id or none. Locked with `lock`. */
export async function ownCapture(q: Queryable, viewer: Viewer, id: string, lock = false): Promise<CaptureRow> {
  const [captureId] = validIds([id]);
  if (!captureId) throw new NotFoundError('Capture');
  const query = q
    .select()
    .from(captures)
    .where(and(eq(captures.id, captureId), eq(captures.userId, viewer.userId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('Capture');
  return row;
}

/** Quick capture: a thought becomes a capture, and triage proposes what to make of it. */
export class CaptureService {
  constructor(private readonly app: App) {}

  list(
    viewer: Viewer,
    status: CaptureStatus[] | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<CaptureRow>> {
    const scope = and(
      eq(captures.userId, viewer.userId),
      status?.length ? inArray(captures.status, status) : undefined,
    );
    const db = this.app.db;
    return keysetPage(
      pageRequest(first, after),
      {
        expr: captures.createdAt,
        id: captures.id,
        dir: 'DESC',
        cast: cursorCast.timestamptz,
        cursorOf: (r) => [r.createdAt.toISOString(), r.id],
      },
      (past, order, limit) =>
        db
          .select()
          .from(captures)
          .where(and(scope, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(db, captures, scope),
    );
  }

  /** Captures waiting in the inbox: NEW or NEEDS_REVIEW. */
  inboxCount(viewer: Viewer): Promise<number> {
    return countWhere(
      this.app.db,
      captures,
      and(
        eq(captures.userId, viewer.userId),
        inArray(captures.status, [CaptureStatus.NEW, CaptureStatus.NEEDS_REVIEW]),
      ),
    );
  }

  get(viewer: Viewer, id: string): Promise<CaptureRow> {
    return ownCapture(this.app.db, viewer, id);
  }

  /**
   * Text in, suggestions out (triage false: none). The same clientKey within 24 h returns the first
   * capture, whatever the text; `source` is for the assistant's own tool (ASSISTANT).
   */
  async create(viewer: Viewer, input: CreateCaptureInput, forced?: CaptureSource): Promise<CaptureRow> {
    const p = new FieldProblems();
    const text = captureText(p, input.text);
    const source = forced ?? input.source ?? (viewer.apiKeyId ? CaptureSource.API : CaptureSource.APP);
    if (!forced) p.check(CLIENT_SOURCES.has(source), 'source', 'Clients may send APP, API or SHARE');
    const key = clientKeyOf(p, input.clientKey);
    p.throwIfAny();
    const earlier = key === null ? null : await captureByKey(this.app.db, viewer.userId, key);
    if (earlier) return earlier;
    await new RateLimiter(this.app.db).hit(`capture:${viewer.userId}`, { limit: PER_MINUTE, seconds: 60 });
    return this.app.db.transaction(async (tx) => {
      if (key !== null) await freeOldKey(tx, viewer.userId, key);
      const [row] = await tx
        .insert(captures)
        .values({ userId: viewer.userId, source, status: CaptureStatus.NEW, text, clientKey: key })
        .onConflictDoNothing()
        .returning();
      // A concurrent request with the same key won: its capture is the answer.
      if (!row) return (await captureByKey(tx, viewer.userId, key!))!;
      return this.opened(tx, viewer, row, input.triage !== false);
    });
  }

  /** A new capture's activity row, then its triage (or only its announcement). */
  private async opened(tx: Tx, viewer: Viewer, row: CaptureRow, triage: boolean): Promise<CaptureRow> {
    await recordActivity(tx, {
      actorId: viewer.userId,
      verb: 'capture.created',
      entityType: 'capture',
      entityId: row.id,
      summary: `Captured "${(row.text ?? '').slice(0, 60)}"`,
    });
    if (!triage) {
      await announceCapture(tx, row);
      return row;
    }
    return startTriage(tx, this.app, viewer, row);
  }

  /**
   * One of the viewer's emails becomes a capture (source EMAIL): its subject, a blank line and its text,
   * cut to 10,000 characters. Again for the same email: the same capture.
   */
  async createFromEmail(viewer: Viewer, emailId: string, triage: boolean): Promise<CaptureRow> {
    const [id] = validIds([emailId]);
    const [email] = id
      ? await this.app.db
          .select({
            id: emailMessages.id,
            subject: emailMessages.subject,
            text: emailMessages.text,
            snippet: emailMessages.snippet,
          })
          .from(emailMessages)
          .where(and(eq(emailMessages.id, id), eq(emailMessages.userId, viewer.userId)))
      : [];
    if (!email) throw new NotFoundError('Email');
    const earlier = await this.byEmail(this.app.db, viewer, email.id);
    if (earlier) return earlier;
    await new RateLimiter(this.app.db).hit(`capture:${viewer.userId}`, { limit: PER_MINUTE, seconds: 60 });
    const body = (email.text ?? email.snippet).replace(/\r\n/g, '\n');
    const text = withoutControls(`${email.subject}\n\n${body}`).trim().slice(0, TEXT_MAX);
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(captures)
        .values({
          userId: viewer.userId,
          source: CaptureSource.EMAIL,
          status: CaptureStatus.NEW,
          text,
          emailId: email.id,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return (await this.byEmail(tx, viewer, email.id))!;
      return this.opened(tx, viewer, row, triage);
    });
  }

  /** Corrects the text: undecided suggestions go and, with retriage (default), are made again. */
  async updateText(viewer: Viewer, id: string, raw: string, retriage: boolean): Promise<CaptureRow> {
    const p = new FieldProblems();
    const text = captureText(p, raw);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const capture = await this.idle(tx, viewer, id);
      await dropUndecided(tx, capture.id);
      const [row] = await tx
        .update(captures)
        .set({ text, updatedAt: new Date() })
        .where(eq(captures.id, capture.id))
        .returning();
      return retriage ? startTriage(tx, this.app, viewer, row!) : settle(tx, row!);
    });
  }

  /** Triage again: the retry for FAILED; PROPOSED suggestions are replaced, decided ones stay. */
  async triage(viewer: Viewer, id: string): Promise<CaptureRow> {
    return this.app.db.transaction(async (tx) => {
      const capture = await this.idle(tx, viewer, id);
      // A voice capture whose transcription failed is transcribed again while its audio is kept.
      if (!capture.text && capture.uploadId && capture.status === 'FAILED') {
        const [row] = await tx
          .update(captures)
          .set({ status: CaptureStatus.TRANSCRIBING, error: null, updatedAt: new Date() })
          .where(eq(captures.id, capture.id))
          .returning();
        await this.app.jobs.send(tx, TRANSCRIBE, `capture:${capture.id}`, { captureId: capture.id }, viewer.userId);
        await announceCapture(tx, row!);
        return row!;
      }
      if (!capture.text) throw new InputError({ id: 'The capture has no text to triage' });
      await dropUndecided(tx, capture.id);
      return startTriage(tx, this.app, viewer, capture);
    });
  }

  async archive(viewer: Viewer, id: string): Promise<CaptureRow> {
    return this.app.db.transaction(async (tx) => {
      const capture = await ownCapture(tx, viewer, id, true);
      const [row] = await tx
        .update(captures)
        .set({ status: CaptureStatus.ARCHIVED, updatedAt: new Date() })
        .where(eq(captures.id, capture.id))
        .returning();
      await announceCapture(tx, row!);
      return row!;
    });
  }

  /** The capture and its suggestions go; items already made from it stay. */
  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const capture = await ownCapture(tx, viewer, id, true);
      await tx.delete(captures).where(eq(captures.id, capture.id));
      await dropAudio(tx, capture);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'capture.deleted',
        entityType: 'capture',
        entityId: capture.id,
        summary: 'Deleted a capture',
      });
      await announceCapture(tx, capture, true);
      return capture.id;
    });
  }

  /** The capture locked, when no background work holds it (TRANSCRIBING, TRIAGING: CONFLICT). */
  private async idle(tx: Tx, viewer: Viewer, id: string): Promise<CaptureRow> {
    const capture = await ownCapture(tx, viewer, id, true);
    if (capture.status === 'TRANSCRIBING' || capture.status === 'TRIAGING')
      throw new ConflictError('The capture is being processed: try again when it is done');
    return capture;
  }

  private async byEmail(q: Queryable, viewer: Viewer, emailId: string): Promise<CaptureRow | null> {
    const [row] = await q
      .select()
      .from(captures)
      .where(and(eq(captures.userId, viewer.userId), eq(captures.emailId, emailId)));
    return row ?? null;
  }
}
