import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, real, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { emailMessages } from './mail.js';
import { stagedUploads } from './uploads.js';
import { users } from './users.js';
import { ts } from './columns.js';

export const captureSourceEnum = pgEnum('capture_source', ['APP', 'VOICE', 'EMAIL', 'SHARE', 'API', 'ASSISTANT']);
export const captureStatusEnum = pgEnum('capture_status', [
  'NEW',
  'TRANSCRIBING',
  'TRIAGING',
  'NEEDS_REVIEW',
  'DONE',
  'ARCHIVED',
  'FAILED',
]);
export const suggestionKindEnum = pgEnum('suggestion_kind', ['TASK', 'EVENT', 'JOURNAL_ENTRY', 'DOCUMENT']);
export const suggestionStatusEnum = pgEnum('suggestion_status', ['PROPOSED', 'ACCEPTED', 'REJECTED', 'FAILED']);

/** A thought sent to Orbit (typed, shared, from the assistant): its text and what triage made of it. */
export const captures = pgTable(
  'captures',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    source: captureSourceEnum().notNull(),
    status: captureStatusEnum().notNull(),
    text: text(),
    error: text(),
    /** The client's idempotency key: the same key within 24 h returns this capture. */
    clientKey: text(),
    /** The email it was made from (createCaptureFromEmail: once per email). */
    emailId: uuid().references(() => emailMessages.id, { onDelete: 'set null' }),
    /** Voice: the upload holding the audio's bytes (null once the audio is deleted). */
    uploadId: uuid().references(() => stagedUploads.id, { onDelete: 'set null' }),
    audioContentType: text(),
    audioSize: integer(),
    audioDuration: real(),
    /** When the audio is deleted (set at transcription: voiceRetentionDays later). */
    audioPurgeAt: ts(),
    /** The ISO-639-1 hint sent to the transcription provider. */
    language: text(),
    /** The provider's transcript: text, language, durationSeconds, segments, model. */
    transcript: jsonb(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
    processedAt: ts(),
  },
  (t) => [
    index('captures_audio_purge_idx')
      .on(t.audioPurgeAt)
      .where(sql`${t.uploadId} is not null`),
    index('captures_user_created_idx').on(t.userId, t.createdAt, t.id),
    uniqueIndex('captures_user_client_key_key')
      .on(t.userId, t.clientKey)
      .where(sql`${t.clientKey} is not null`),
    uniqueIndex('captures_user_email_key')
      .on(t.userId, t.emailId)
      .where(sql`${t.emailId} is not null`),
  ],
);

/** One item triage proposes (a task, an event, a journal note, a document) and what became of it. */
export const captureSuggestions = pgTable(
  'capture_suggestions',
  {
    id: uuid().primaryKey().defaultRandom(),
    captureId: uuid()
      .notNull()
      .references(() => captures.id, { onDelete: 'cascade' }),
    /** Order inside the capture. */
    position: integer().notNull(),
    kind: suggestionKindEnum().notNull(),
    status: suggestionStatusEnum().notNull(),
    /** The draft of its kind (TaskDraft, EventDraft, JournalDraft, DocumentDraft), ISO instants. */
    draft: jsonb().notNull(),
    confidence: real(),
    sourceText: text(),
    sourceStart: real(),
    sourceEnd: real(),
    /** The item accepting it made (task, event, journal_entry, document). */
    resultType: text(),
    resultId: uuid(),
    error: text(),
    decidedAt: ts(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [index('capture_suggestions_capture_idx').on(t.captureId, t.position)],
);
