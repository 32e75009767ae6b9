import { index, integer, pgEnum, pgTable, primaryKey, real, text, uuid } from 'drizzle-orm/pg-core';
import { bytea, ts } from './columns.js';
import { users } from './users.js';

export const uploadPurposeEnum = pgEnum('upload_purpose', ['CAPTURE_AUDIO', 'CALENDAR_IMPORT']);
export const stagedUploadStatusEnum = pgEnum('staged_upload_status', [
  'WAITING',
  'RECEIVED',
  'USED',
  'EXPIRED',
  'REJECTED',
]);

/**
 * Bytes a client announced with stageUpload and PUTs to /uploads/<token>. The token is stored hashed
 * (SHA-256); the bytes are in upload_chunks, so every replica reads them.
 */
export const stagedUploads = pgTable(
  'staged_uploads',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: uploadPurposeEnum().notNull(),
    contentType: text().notNull(),
    filename: text(),
    /** The declared size: exactly this many bytes are accepted. */
    maxBytes: integer().notNull(),
    size: integer(),
    status: stagedUploadStatusEnum().notNull(),
    error: text(),
    tokenHash: text().notNull().unique(),
    /** Set by the PUT that took the upload: a second PUT is refused (409). */
    claimedAt: ts(),
    expiresAt: ts().notNull(),
    /** Audio: the duration read from its container. */
    durationSeconds: real(),
    createdAt: ts().notNull().defaultNow(),
    receivedAt: ts(),
    usedAt: ts(),
  },
  (t) => [index('staged_uploads_user_idx').on(t.userId, t.status), index('staged_uploads_created_idx').on(t.createdAt)],
);

/** An upload's bytes in order, written as they stream in (at most CHUNK bytes a row). */
export const uploadChunks = pgTable(
  'upload_chunks',
  {
    uploadId: uuid()
      .notNull()
      .references(() => stagedUploads.id, { onDelete: 'cascade' }),
    seq: integer().notNull(),
    bytes: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.seq] })],
);
