import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

/** Fixed-window counters shared by every replica (failed logins, registrations, emails). */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text().primaryKey(),
    count: integer().notNull(),
    resetAt: ts().notNull(),
  },
  (t) => [index('rate_limits_reset_idx').on(t.resetAt)],
);
