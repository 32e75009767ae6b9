import { xid8 } from './bus.js';
import { sql } from 'drizzle-orm';
import { bigserial, index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './users.js';

export const notificationKindEnum = pgEnum('notification_kind', [
  'TASK_ASSIGNED',
  'TASK_LIST_SHARED',
  'EVENT_INVITATION',
  'INVITATION_RESPONSE',
  'USAGE_LIMIT_WARNING',
  'SECURITY_ALERT',
  'EMAIL_LIMIT_REACHED',
  'ASSISTANT_ACTION_PENDING',
  'EMAIL_RECEIVED',
  'TICKET_ASSIGNED',
  'TICKET_RECEIVED',
  'TICKET_REPLIED',
  'TICKET_INBOX_FAILED',
  'CAPTURE_READY',
]);

export const notifications = pgTable(
  'notifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Increasing at insert; with txid, the order replay and live delivery follow. */
    seq: bigserial({ mode: 'number' }).notNull(),
    /** The writing transaction: replay reads in (txid, seq) order below the snapshot horizon, as the bus does. */
    txid: xid8()
      .notNull()
      .default(sql`pg_current_xact_id()`),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: notificationKindEnum().notNull(),
    title: text().notNull(),
    body: text(),
    entityType: text(),
    entityId: uuid(),
    readAt: ts(),
    /** clock_timestamp(): the moment the row was written, not the transaction's start. */
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    index('notifications_user_seq_idx').on(t.userId, t.seq),
    index('notifications_user_txid_idx').on(t.userId, t.txid, t.seq),
  ],
);
