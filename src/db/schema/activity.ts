import { sql } from 'drizzle-orm';
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './users.js';

/** The activity feed: one row per action, written in the action's own transaction. */
export const activities = pgTable(
  'activities',
  {
    id: uuid().primaryKey().defaultRandom(),
    actorId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    verb: text().notNull(),
    entityType: text().notNull(),
    entityId: uuid().notNull(),
    summary: text().notNull(),
    /** The task list the action happened in, so its members see it; null for private actions. */
    listId: uuid(),
    /** The board it happened on, so the board's members see it. */
    boardId: uuid(),
    /** clock_timestamp(): rows written by one transaction keep their order. */
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    index('activities_actor_idx').on(t.actorId, t.createdAt, t.id),
    index('activities_list_idx').on(t.listId, t.createdAt, t.id),
    index('activities_board_idx').on(t.boardId, t.createdAt, t.id),
  ],
);
