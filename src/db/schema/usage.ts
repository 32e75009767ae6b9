import { bigint, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';
import { conversations } from './conversations.js';

/** One row per model call. */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    model: text().notNull(),
    promptTokens: integer().notNull(),
    completionTokens: integer().notNull(),
    conversationId: uuid().references(() => conversations.id, { onDelete: 'set null' }),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    index('usage_records_user_idx').on(t.userId, t.createdAt),
    index('usage_records_conversation_idx').on(t.conversationId),
  ],
);

/** The month's aggregate (UTC calendar month), updated in the same transaction as each record. */
export const monthlyUsage = pgTable(
  'monthly_usage',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** YYYY-MM */
    month: text().notNull(),
    tokensUsed: bigint({ mode: 'number' }).notNull().default(0),
    requestCount: integer().notNull().default(0),
    /** Tokens held by model calls in flight: a call starts only while used + reserved < limit. */
    reservedTokens: bigint({ mode: 'number' }).notNull().default(0),
    /** Seconds of audio transcribed (each capture rounded up, at least 1) and voice captures made. */
    audioSecondsUsed: integer().notNull().default(0),
    voiceCaptures: integer().notNull().default(0),
    /** Set when the 80% warning was sent: once a month. */
    warnedAt: ts(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] })],
);

/**
 * Tokens an external agent holds for a model call it is about to make (reserveUsage), added to the
 * month's reserved tokens until recordUsage settles it or it lapses (released).
 */
export const usageReservations = pgTable(
  'usage_reservations',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The month (YYYY-MM, UTC) whose reserved tokens hold it. */
    month: text().notNull(),
    estimatedTokens: integer().notNull(),
    createdAt: ts().notNull().defaultNow(),
    expiresAt: ts().notNull(),
    settledAt: ts(),
    /** Set when it lapsed unsettled and its tokens were given back. */
    releasedAt: ts(),
  },
  (t) => [index('usage_reservations_user_idx').on(t.userId), index('usage_reservations_open_idx').on(t.expiresAt)],
);
