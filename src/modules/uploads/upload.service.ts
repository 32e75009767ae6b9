import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.js';
import { stagedUploads } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ConflictError, FieldProblems, InputError, NotFoundError, RateLimitedError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { Tier } from '../users/index.js';
import { checkAudioLeft } from '../usage/index.js';
import { AUDIO_TYPES, CALENDAR_MAX_BYTES, CALENDAR_TYPE } from './containers.js';
import {
  type StageUploadInput,
  type StageUploadPayload,
  type StagedUploadRow,
  StagedUploadStatus,
  UploadPurpose,
} from './upload.type.js';

/** How long a staged upload waits for its PUT; how many may wait at once per user. */
export const UPLOAD_TTL_MS = 10 * 60_000;
export const WAITING_MAX = 5;
/** Unused uploads (anything not taken by a capture or an import) are deleted this long after staging. */
export const UNUSED_UPLOAD_HOURS = 24;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The viewer's upload; NOT_FOUND for anyone else's, a malformed id or none. */
export async function ownUpload(q: Queryable, viewer: Viewer, id: string, lock = false): Promise<StagedUploadRow> {
  const [uploadId] = validIds([id]);
  if (!uploadId) throw new NotFoundError('Upload');
  const query = q
    .select()
    .from(stagedUploads)
    .where(and(eq(stagedUploads.id, uploadId), eq(stagedUploads.userId, viewer.userId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('Upload');
  return row;
}

/**
 * Takes a RECEIVED upload of `purpose` for the viewer, in the consuming transaction (marks it USED).
 * A USED one: CONFLICT; one not RECEIVED or of another purpose: BAD_USER_INPUT.
 */
export async function takeUpload(
  tx: Queryable,
  viewer: Viewer,
  id: string,
  purpose: UploadPurpose,
): Promise<StagedUploadRow> {
  const upload = await ownUpload(tx, viewer, id, true);
  if (upload.status === 'USED') throw new ConflictError('The upload was used already');
  if (upload.purpose !== (purpose as string)) throw new InputError({ uploadId: `The upload is not for ${purpose}` });
  if (upload.status !== 'RECEIVED') throw new InputError({ uploadId: `The upload is ${upload.status}, not RECEIVED` });
  const [row] = await tx
    .update(stagedUploads)
    .set({ status: StagedUploadStatus.USED, usedAt: new Date() })
    .where(eq(stagedUploads.id, upload.id))
    .returning();
  return row!;
}

/**
 * Staged uploads: a client announces bytes (purpose, type, size) and gets a single-use URL to PUT
 * them to, so they never pass through /graphql.
 */
export class UploadService {
  constructor(private readonly app: App) {}

  get(viewer: Viewer, id: string): Promise<StagedUploadRow> {
    return ownUpload(this.app.db, viewer, id);
  }

  /** Checks in the contract's order: type, size, provider, audio seconds, waiting uploads. */
  async stage(
    viewer: Viewer,
    input: StageUploadInput,
  ): Promise<Omit<StageUploadPayload, 'upload'> & { upload: StagedUploadRow }> {
    const config = this.app.config;
    const audio = input.purpose === UploadPurpose.CAPTURE_AUDIO;
    const contentType = input.contentType.trim().toLowerCase();
    const p = new FieldProblems();
    const types = audio ? AUDIO_TYPES : [CALENDAR_TYPE];
    p.check(types.includes(contentType), 'contentType', `One of ${types.join(', ')}, without parameters`);
    p.throwIfAny();
    const max = audio ? config.CAPTURE_AUDIO_MAX_BYTES : CALENDAR_MAX_BYTES;
    p.check(input.size >= 1 && input.size <= max, 'size', `Size must be 1-${max} bytes`);
    const filename = input.filename?.trim() || null;
    p.check(!filename || filename.length <= 255, 'filename', 'At most 255 characters');
    p.throwIfAny();
    if (audio) {
      if (!config.STT_BASE_URL)
        throw new InputError({ purpose: 'Voice captures are unavailable: no speech-to-text provider is configured' });
      await checkAudioLeft(this.app.db, config, viewer.userId, viewer.user.tier as Tier);
    }
    const [{ waiting } = { waiting: 0 }] = await this.app.db
      .select({ waiting: count() })
      .from(stagedUploads)
      .where(
        and(
          eq(stagedUploads.userId, viewer.userId),
          eq(stagedUploads.status, StagedUploadStatus.WAITING),
          gt(stagedUploads.expiresAt, sql`now()`),
        ),
      );
    if (waiting >= WAITING_MAX) throw new RateLimitedError(UPLOAD_TTL_MS / 1000);
    const token = randomBytes(32).toString('base64url');
    const [upload] = await this.app.db
      .insert(stagedUploads)
      .values({
        userId: viewer.userId,
        purpose: input.purpose,
        contentType,
        filename,
        maxBytes: input.size,
        status: StagedUploadStatus.WAITING,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
      })
      .returning();
    return {
      upload: upload!,
      url: `${config.APP_URL.replace(/\/+$/, '')}/uploads/${token}`,
      headers: { 'Content-Type': contentType },
    };
  }
}

/**
 * The sweep's part: WAITING uploads past their deadline become EXPIRED (their bytes, if a PUT died
 * half-way, go), and uploads no capture or import took are deleted 24 h after staging.
 */
export async function purgeUploads(db: Db): Promise<void> {
  await db
    .update(stagedUploads)
    .set({ status: StagedUploadStatus.EXPIRED })
    .where(and(eq(stagedUploads.status, StagedUploadStatus.WAITING), lt(stagedUploads.expiresAt, sql`now()`)));
  await db
    .delete(stagedUploads)
    .where(
      and(
        inArray(stagedUploads.status, [
          StagedUploadStatus.WAITING,
          StagedUploadStatus.RECEIVED,
          StagedUploadStatus.EXPIRED,
          StagedUploadStatus.REJECTED,
        ]),
        lt(stagedUploads.createdAt, sql`now() - make_interval(hours => ${UNUSED_UPLOAD_HOURS})`),
      ),
    );
}
