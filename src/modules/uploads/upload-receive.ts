import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { parseStream } from 'music-metadata';
import { stagedUploads, uploadChunks } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { SNIFF_BYTES, essence, matchesContainer } from './containers.js';
import { ChunkWriter, uploadStream } from './upload-bytes.js';
import { hashToken } from './upload.service.js';
import { type StagedUploadRow, StagedUploadStatus } from './upload.type.js';

export interface Received {
  status: number;
  error?: string;
  upload?: StagedUploadRow;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * PUT /uploads/<token>: the body streams into upload_chunks while the declared type and size are
 * enforced; the container is sniffed from the first bytes and audio's duration read from the stored
 * container. Refusals answer with the contract's status and leave the upload REJECTED, bytes gone.
 */
export async function receiveUpload(
  app: App,
  token: string,
  contentType: string | undefined,
  contentLength: string | undefined,
  body: AsyncIterable<Buffer>,
): Promise<Received> {
  if (!TOKEN.test(token)) return { status: 404, error: 'Unknown upload' };
  const db = app.db;
  const hash = hashToken(token);
  const [upload] = await db
    .update(stagedUploads)
    .set({ claimedAt: new Date() })
    .where(
      and(
        eq(stagedUploads.tokenHash, hash),
        eq(stagedUploads.status, StagedUploadStatus.WAITING),
        isNull(stagedUploads.claimedAt),
        gt(stagedUploads.expiresAt, sql`now()`),
      ),
    )
    .returning();
  if (!upload) return refusedClaim(app, hash);

  const reject = async (status: number, error: string): Promise<Received> => {
    await db.delete(uploadChunks).where(eq(uploadChunks.uploadId, upload.id));
    const [row] = await db
      .update(stagedUploads)
      .set({ status: StagedUploadStatus.REJECTED, error })
      .where(eq(stagedUploads.id, upload.id))
      .returning();
    return { status, error, upload: row };
  };
  if (essence(contentType) !== upload.contentType)
    return reject(415, `Content-Type must be ${upload.contentType}, as declared`);
  if (contentLength !== undefined && Number(contentLength) > upload.maxBytes)
    return reject(413, `More than the ${upload.maxBytes} bytes declared`);

  const writer = new ChunkWriter(db, upload.id);
  let size = 0;
  const head: Buffer[] = [];
  let sniffed = false;
  const matches = () => matchesContainer(upload.contentType, Buffer.concat(head).subarray(0, SNIFF_BYTES));
  for await (const part of body) {
    size += part.length;
    if (size > upload.maxBytes) return reject(413, `More than the ${upload.maxBytes} bytes declared`);
    if (!sniffed) {
      head.push(part);
      if (size >= SNIFF_BYTES) {
        sniffed = true;
        if (!(await matches())) return reject(415, 'The bytes are not the declared container');
      }
    }
    await writer.push(part);
  }
  if (size < upload.maxBytes) return reject(400, `Fewer than the ${upload.maxBytes} bytes declared`);
  if (!sniffed && !(await matches())) return reject(415, 'The bytes are not the declared container');
  await writer.end();

  let durationSeconds: number | null = null;
  if (upload.purpose === 'CAPTURE_AUDIO') {
    try {
      const meta = await parseStream(
        uploadStream(db, upload.id),
        { mimeType: upload.contentType, size },
        { duration: true, skipCovers: true },
      );
      durationSeconds = meta.format.duration ?? null;
    } catch {
      return reject(415, 'The audio container cannot be read');
    }
    const max = app.config.CAPTURE_AUDIO_MAX_SECONDS;
    if (durationSeconds !== null && durationSeconds > max) return reject(422, `Audio longer than ${max} seconds`);
  }
  const [row] = await db
    .update(stagedUploads)
    .set({ status: StagedUploadStatus.RECEIVED, size, durationSeconds, receivedAt: new Date() })
    .where(eq(stagedUploads.id, upload.id))
    .returning();
  return { status: 200, upload: row };
}

/** Why a token took no upload: unknown or expired 404 (a WAITING one past its deadline becomes EXPIRED), else 409. */
async function refusedClaim(app: App, hash: string): Promise<Received> {
  const [upload] = await app.db.select().from(stagedUploads).where(eq(stagedUploads.tokenHash, hash));
  if (!upload || upload.status === 'EXPIRED') return { status: 404, error: 'Unknown upload' };
  if (upload.status === 'WAITING' && upload.expiresAt.getTime() <= Date.now()) {
    await app.db
      .update(stagedUploads)
      .set({ status: StagedUploadStatus.EXPIRED })
      .where(and(eq(stagedUploads.id, upload.id), eq(stagedUploads.status, StagedUploadStatus.WAITING)));
    return { status: 404, error: 'The upload expired' };
  }
  return { status: 409, error: 'The upload was sent already' };
}
