import { captures } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { FieldProblems, InputError } from '../../shared/errors.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { AUDIO_TYPES, UploadPurpose, takeUpload } from '../uploads/index.js';
import { audioUsage, checkAudioLeft, meterAudio } from '../usage/index.js';
import type { Tier } from '../users/index.js';
import { announceCapture } from './capture-triage.js';
import { PER_MINUTE, captureByKey, clientKeyOf, freeOldKey } from './capture-input.js';
import { type CaptureRow, CaptureSource, CaptureStatus } from './capture.type.js';
import { TRANSCRIBE } from './transcribe-job.js';
import { CaptureAutoAccept, type CaptureServiceStatus, type CreateVoiceCaptureInput } from './voice.type.js';

/** Voice captures: a received audio upload becomes a capture that a background job transcribes and triages. */
export class VoiceCaptureService {
  constructor(private readonly app: App) {}

  /**
   * Returns the capture TRANSCRIBING; the upload is USED in the same transaction as the capture,
   * its activity row and the transcription job.
   */
  async create(viewer: Viewer, input: CreateVoiceCaptureInput): Promise<CaptureRow> {
    const p = new FieldProblems();
    const language = input.language?.trim().toLowerCase() || null;
    p.check(language === null || /^[a-z]{2}$/.test(language), 'language', 'An ISO-639-1 code such as en or de');
    const key = clientKeyOf(p, input.clientKey);
    p.throwIfAny();
    const earlier = key === null ? null : await captureByKey(this.app.db, viewer.userId, key);
    if (earlier) return earlier;
    if (!this.app.config.STT_BASE_URL)
      throw new InputError({ uploadId: 'Voice captures are unavailable: no speech-to-text provider is configured' });
    await checkAudioLeft(this.app.db, this.app.config, viewer.userId, viewer.user.tier as Tier);
    await new RateLimiter(this.app.db).hit(`capture:${viewer.userId}`, { limit: PER_MINUTE, seconds: 60 });
    return this.app.db.transaction(async (tx) => {
      if (key !== null) await freeOldKey(tx, viewer.userId, key);
      const upload = await takeUpload(tx, viewer, input.uploadId, UploadPurpose.CAPTURE_AUDIO);
      const [row] = await tx
        .insert(captures)
        .values({
          userId: viewer.userId,
          source: CaptureSource.VOICE,
          status: CaptureStatus.TRANSCRIBING,
          clientKey: key,
          uploadId: upload.id,
          audioContentType: upload.contentType,
          audioSize: upload.size,
          audioDuration: upload.durationSeconds,
          language,
        })
        .onConflictDoNothing()
        .returning();
      // A concurrent request with the same key won: its capture is the answer (this one rolls back).
      if (!row) return (await captureByKey(tx, viewer.userId, key!))!;
      await meterAudio(tx, viewer.userId, { captures: 1 });
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'capture.created',
        entityType: 'capture',
        entityId: row.id,
        summary: 'Captured a voice note',
      });
      await this.app.jobs.send(
        tx,
        TRANSCRIBE,
        `capture:${row.id}`,
        { captureId: row.id, triage: input.triage !== false },
        viewer.userId,
      );
      await announceCapture(tx, row);
      return row;
    });
  }

  async status(viewer: Viewer): Promise<CaptureServiceStatus> {
    const config = this.app.config;
    const usage = await audioUsage(this.app.db, config, viewer.userId, viewer.user.tier as Tier);
    const now = new Date();
    const reasons = [
      config.STT_BASE_URL ? null : 'Voice captures are off: no speech-to-text provider (STT_BASE_URL) is configured',
      config.LLM_BASE_URL ? null : 'Triage uses the quick-add grammar: no model (LLM_BASE_URL) is configured',
    ].filter(Boolean);
    return {
      voiceAvailable: !!config.STT_BASE_URL,
      modelTriageAvailable: !!config.LLM_BASE_URL,
      reason: reasons.length ? reasons.join('; ') : null,
      maxAudioBytes: config.CAPTURE_AUDIO_MAX_BYTES,
      maxAudioSeconds: config.CAPTURE_AUDIO_MAX_SECONDS,
      acceptedContentTypes: AUDIO_TYPES,
      autoAccept: CaptureAutoAccept.OFF,
      quota: { ...usage, resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) },
    };
  }
}
