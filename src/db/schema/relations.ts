import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './users.js';

export const searchableTypeEnum = pgEnum('searchable_type', [
  'TASK',
  'DOCUMENT',
  'JOURNAL_ENTRY',
  'EVENT',
  'EMAIL',
  'TICKET',
  'CAPTURE',
]);

/**
 * Links between two items of any searchable type. The ends are not foreign keys (they point into
 * several tables): triggers on those tables delete an item's links with it (migration 0008).
 */
export const relations = pgTable(
  'relations',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Who made the link; only they see it. */
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    fromType: searchableTypeEnum().notNull(),
    fromId: uuid().notNull(),
    toType: searchableTypeEnum().notNull(),
    toId: uuid().notNull(),
    kind: text().notNull(),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    uniqueIndex('relations_link_key').on(t.userId, t.fromType, t.fromId, t.toType, t.toId, t.kind),
    index('relations_from_idx').on(t.fromType, t.fromId),
    index('relations_to_idx').on(t.toType, t.toId),
  ],
);
