import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

/**
 * Background jobs, one row per (kind, key): enqueuing again for the same item while it waits
 * changes nothing but its version (deduplicated); workers claim rows with FOR UPDATE SKIP LOCKED.
 * A finished job is deleted; one that kept failing stays with status `failed` and its last error.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    kind: text().notNull(),
    key: text().notNull(),
    payload: jsonb().notNull().default({}),
    /** queued, or failed (the dead letters: out of attempts, kept with their last error) */
    status: text().notNull().default('queued'),
    runAt: ts().notNull().defaultNow(),
    attempts: integer().notNull().default(0),
    /** Bumped by every enqueue: a worker deletes the row only if nothing was enqueued meanwhile. */
    version: integer().notNull().default(1),
    lockedUntil: timestamp({ withTimezone: true, precision: 3 }),
    /** The worker holding the lease: only it may renew or settle the job (fencing). */
    lockedBy: text(),
    /** Whose work it is (a user): a claim takes one job per group, so one user's many jobs cannot crowd out others. */
    groupKey: text(),
    lastError: text(),
    createdAt: ts()
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    uniqueIndex('jobs_kind_key').on(t.kind, t.key),
    index('jobs_due_idx')
      .on(t.runAt)
      .where(sql`status = 'queued'`),
  ],
);
