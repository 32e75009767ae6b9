import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, ts } from './columns.js';
import { users } from './users.js';

export const mailSyncStateEnum = pgEnum('mail_sync_state', ['PENDING', 'SYNCING', 'IDLE', 'FAILED']);
export const draftStatusEnum = pgEnum('draft_status', ['DRAFT', 'QUEUED', 'SENDING', 'SENT', 'FAILED']);
export const integrationStatusEnum = pgEnum('integration_status', ['RUNNING', 'SUCCESS', 'PARTIAL', 'FAILURE']);

export type MailAddressValue = { name: string | null; address: string };

/** A user's IMAP (and SMTP) account; the password is encrypted (AES-256-GCM, SECRETS_KEY). */
export const mailAccounts = pgTable(
  'mail_accounts',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    username: text().notNull(),
    passwordEnc: text().notNull(),
    imapHost: text().notNull(),
    imapPort: integer().notNull(),
    imapTls: boolean().notNull(),
    smtpHost: text(),
    smtpPort: integer(),
    smtpTls: boolean(),
    syncState: mailSyncStateEnum().notNull().default('PENDING'),
    lastSyncedAt: ts(),
    lastError: text(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('mail_accounts_user_email_key').on(t.userId, t.email)],
);

/** A synced folder (INBOX, Sent) with its cursor: UIDVALIDITY and the highest UID stored. */
export const mailFolders = pgTable(
  'mail_folders',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    path: text().notNull(),
    /** inbox or sent */
    role: text().notNull(),
    uidValidity: bigint({ mode: 'number' }),
    lastUid: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [uniqueIndex('mail_folders_account_path_key').on(t.accountId, t.path)],
);

export const mailThreads = pgTable(
  'mail_threads',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    subject: text().notNull(),
    /** The subject without Re:/Fwd:, lower case: the last-resort key. */
    subjectKey: text().notNull(),
    lastMessageAt: ts().notNull(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    index('mail_threads_account_idx').on(t.accountId, t.lastMessageAt, t.id),
    index('mail_threads_user_idx').on(t.userId, t.lastMessageAt, t.id),
  ],
);

export const emailMessages = pgTable(
  'email_messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: uuid()
      .notNull()
      .references(() => mailFolders.id, { onDelete: 'cascade' }),
    threadId: uuid()
      .notNull()
      .references(() => mailThreads.id, { onDelete: 'cascade' }),
    uid: bigint({ mode: 'number' }).notNull(),
    messageId: text(),
    inReplyTo: text(),
    references: jsonb().$type<string[]>().notNull().default([]),
    subject: text().notNull(),
    fromName: text(),
    fromAddress: text().notNull(),
    to: jsonb().$type<MailAddressValue[]>().notNull().default([]),
    cc: jsonb().$type<MailAddressValue[]>().notNull().default([]),
    sentAt: ts(),
    receivedAt: ts().notNull(),
    snippet: text().notNull(),
    text: text(),
    html: text(),
    seen: boolean().notNull().default(false),
    /** The MIME did not parse in full: what parsed is stored. */
    partial: boolean().notNull().default(false),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    uniqueIndex('email_messages_folder_uid_key').on(t.folderId, t.uid),
    index('email_messages_thread_idx').on(t.threadId, t.receivedAt),
    index('email_messages_account_mid_idx').on(t.accountId, t.messageId),
    index('email_messages_user_idx').on(t.userId),
  ],
);

export const emailAttachments = pgTable(
  'email_attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    emailId: uuid()
      .notNull()
      .references(() => emailMessages.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    /** Null when larger than MAIL_ATTACHMENT_MAX_BYTES: listed, not stored. */
    content: bytea(),
  },
  (t) => [index('email_attachments_email_idx').on(t.emailId)],
);

export const emailDrafts = pgTable(
  'email_drafts',
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    to: jsonb().$type<string[]>().notNull(),
    cc: jsonb().$type<string[]>().notNull().default([]),
    subject: text().notNull(),
    text: text().notNull(),
    inReplyToId: uuid().references(() => emailMessages.id, { onDelete: 'set null' }),
    status: draftStatusEnum().notNull().default('DRAFT'),
    error: text(),
    /** Fixed before the first attempt: a retry sends the same message. */
    messageIdHeader: text(),
    /** Set by Orbit for mail it sends on a user's behalf (ticket replies): not listed among their drafts. */
    purpose: text(),
    /** Threading by Message-ID when the message replied to is not stored in this account. */
    inReplyToHeader: text(),
    referencesHeader: jsonb().$type<string[]>(),
    replyTo: text(),
    /** Extra headers, e.g. Auto-Submitted: auto-replied. */
    headers: jsonb().$type<Record<string, string>>(),
    sentAt: ts(),
    updatedAt: ts().notNull().defaultNow(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [index('email_drafts_user_idx').on(t.userId, t.updatedAt)],
);

/** One row per run of an integration (a sync, a send): RUNNING, then how it ended. */
export const integrationLogs = pgTable(
  'integration_logs',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: uuid().references(() => mailAccounts.id, { onDelete: 'cascade' }),
    integration: text().notNull(),
    action: text().notNull(),
    status: integrationStatusEnum().notNull().default('RUNNING'),
    itemsProcessed: integer().notNull().default(0),
    message: text(),
    startedAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
    finishedAt: ts(),
  },
  (t) => [index('integration_logs_user_idx').on(t.userId, t.startedAt, t.id)],
);
