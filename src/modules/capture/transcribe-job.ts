import { and, eq, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { captures, stagedUploads, users } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import type { Job, Kind } from '../../shared/jobs.js';
import type { Viewer } from '../../shared/viewer.js';
import { audioExtension, uploadChunksOf } from '../uploads/index.js';
import { meterAudio } from '../usage/index.js';
import { publicUserColumns } from '../users/index.js';
import { ready, settle, textLines } from './capture-triage.js';
import { startTriage } from './model-triage.js';
import { TEXT_MAX, withoutControls } from './capture-input.js';
import { CaptureStatus, type CaptureRow } from './capture.type.js';
import { quickAddNames } from './quick-add.service.js';
import { SttError, type TranscriptValue, transcribe } from './stt-client.js';

export const TRANSCRIBE = 'capture-transcribe';
/** Audio is kept this many days after transcription (settings.voiceRetentionDays, once settings exist). */
export const VOICE_RETENTION_DAYS = 30;
const PROMPT_MAX = 800;

/** The transcription job: one attempt at a time per capture, once across replicas (pg-boss). */
export function transcribeKind(app: App): Kind {
  const config = app.config;
  return {
    run: (job, signal) => runTranscription(app, job, signal),
    // Every attempt of the call with its backoff fits inside one attempt of the job.
    deadlineS: Math.ceil((config.STT_TIMEOUT_MS * config.STT_ATTEMPTS) / 1000) + 30,
    concurrency: 2,
    onDead: (job) => failCapture(app, job.payload.captureId as string, 'transcription failed'),
  };
}

async function runTranscription(app: App, job: Job, signal: AbortSignal): Promise<void> {
  const [capture] = await app.db
    .select()
    .from(captures)
    .where(eq(captures.id, job.payload.captureId as string));
  if (!capture || capture.status !== 'TRANSCRIBING') return;
  if (!capture.uploadId) return failCapture(app, capture.id, 'the audio is gone');
  const names = await quickAddNames(app.db, capture.userId);
  // The viewer's own words help the provider spell them: list, project and label names.
  const prompt = [...names.lists, ...names.projects, ...names.labels]
    .map((n) => n.name)
    .join(', ')
    .slice(0, PROMPT_MAX);
  const uploadId = capture.uploadId;
  let transcript: TranscriptValue;
  try {
    transcript = await transcribe(
      app.config,
      {
        contentType: capture.audioContentType!,
        extension: audioExtension(capture.audioContentType!),
        size: capture.audioSize!,
        bytes: () => uploadChunksOf(app.db, uploadId),
      },
      { language: capture.language, prompt: prompt || null },
      signal,
    );
  } catch (e) {
    // A stopping server or the job's deadline: pg-boss tries the job again.
    if (signal.aborted || !(e instanceof SttError)) throw e;
    return failCapture(app, capture.id, e.message);
  }
  await app.db.transaction(async (tx) => {
    const [row] = await tx.select().from(captures).where(eq(captures.id, capture.id)).for('update');
    if (!row || row.status !== 'TRANSCRIBING') return;
    // A 200 answer is metered, speech or not: the container's seconds, rounded up, at least one.
    const seconds = Math.max(1, Math.ceil(row.audioDuration ?? transcript.durationSeconds ?? 1));
    await meterAudio(tx, row.userId, { seconds });
    const stored = {
      text: transcript.text,
      language: transcript.language ?? row.language,
      durationSeconds: transcript.durationSeconds ?? row.audioDuration,
      segments: transcript.segments,
      model: transcript.model,
    };
    const audioPurgeAt = new Date(Date.now() + VOICE_RETENTION_DAYS * 86_400_000);
    if (transcript.noSpeech) {
      const [failed] = await tx
        .update(captures)
        .set({ status: CaptureStatus.FAILED, error: 'no speech detected', transcript: stored, audioPurgeAt })
        .where(eq(captures.id, row.id))
        .returning();
      return ready(tx, failed!);
    }
    const text = withoutControls(transcript.text).slice(0, TEXT_MAX);
    const [next] = await tx
      .update(captures)
      .set({ status: CaptureStatus.TRIAGING, text, transcript: stored, audioPurgeAt, updatedAt: new Date() })
      .where(eq(captures.id, row.id))
      .returning();
    if (job.payload.triage === false) return ready(tx, await settle(tx, next!, true), false);
    const lines = transcript.segments.length
      ? transcript.segments.map((s) => ({ text: s.text, start: s.start, end: s.end })).filter((l) => l.text)
      : textLines(text);
    const triaged = await startTriage(tx, app, await ownerViewer(tx, row.userId), next!, lines);
    // Triaged by the grammar: the work is over (settle announced the change). With a model, its job ends it.
    if (triaged.status !== 'TRIAGING') await ready(tx, triaged, false);
  });
}

/** The capture FAILED with `error` (its audio kept for a retry), and its owner told. */
async function failCapture(app: App, captureId: string, error: string): Promise<void> {
  await app.db.transaction(async (tx) => {
    const [row] = await tx
      .update(captures)
      .set({ status: CaptureStatus.FAILED, error, processedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(captures.id, captureId), eq(captures.status, CaptureStatus.TRANSCRIBING)))
      .returning();
    if (row) await ready(tx, row);
  });
}

/** The owner as the grammar needs them (their timezone), for work done on their behalf. */
export async function ownerViewer(tx: Queryable, userId: string): Promise<Viewer> {
  const [user] = await tx.select(publicUserColumns).from(users).where(eq(users.id, userId));
  return { user: user!, userId, sessionId: null, apiKeyId: null, scopes: null, expiresAt: null };
}

/** The audio of a capture goes now (deleteCapture; the sweep once audioPurgeAt passed); the transcript stays. */
export async function dropAudio(tx: Tx, capture: CaptureRow): Promise<void> {
  if (capture.uploadId) await tx.delete(stagedUploads).where(eq(stagedUploads.id, capture.uploadId));
}

/** The sweep's part: audio past its purgeAt is deleted (the capture keeps its transcript and audio facts). */
export async function purgeCaptureAudio(db: App['db']): Promise<void> {
  await db.execute(
    sql`delete from ${stagedUploads} where id in (select upload_id from ${captures} where upload_id is not null and audio_purge_at < now())`,
  );
}
