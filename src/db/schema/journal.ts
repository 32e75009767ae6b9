import { date, integer, jsonb, pgEnum, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';

export const journalTypeEnum = pgEnum('journal_entry_type', ['MORNING_PAGES', 'DAILY_REFLECTION', 'WEEKLY_REVIEW']);

export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: journalTypeEnum().notNull(),
    /** The day the entry is for, in the user's timezone. */
    date: date({ mode: 'string' }).notNull(),
    content: jsonb().notNull(),
    wordCount: integer().notNull(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('journal_entries_user_type_date_key').on(t.userId, t.type, t.date)],
);
