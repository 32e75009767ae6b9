import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { searchableTypeEnum } from './relations.js';

/**
 * The job table of the releases before pg-boss (which keeps its own jobs, in schema `pgboss`):
 * kept only so that jobs still waiting in it at the upgrade are moved to pg-boss when the server
 * starts (shared/job-adoption.ts); nothing writes it any more.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    kind: text().notNull(),
    key: text().notNull(),
    payload: jsonb().notNull().default({}),
    status: text().notNull().default('queued'),
    runAt: ts().notNull().defaultNow(),
    attempts: integer().notNull().default(0),
    version: integer().notNull().default(1),
    lockedUntil: timestamp({ withTimezone: true, precision: 3 }),
    lockedBy: text(),
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

/**
 * Items whose text changed since they were last embedded, marked by triggers in the writing
 * transaction (one row per item however often it changes). A replica moves unscheduled marks into
 * pg-boss `embed` jobs (search/embed-pump.ts); a job done deletes the mark only if its version is
 * unchanged, so an edit made while it ran is embedded again. The marks are what "pending" counts.
 */
export const embedPending = pgTable(
  'embed_pending',
  {
    entityType: searchableTypeEnum().notNull(),
    entityId: uuid().notNull(),
    /** Bumped by every change: the job that embedded an older version leaves the mark. */
    version: integer().notNull().default(1),
    /** Whether a pg-boss job was sent for this version. */
    scheduled: boolean().notNull().default(false),
    /** Attempts at embedding this version, and the last one's error. */
    attempts: integer().notNull().default(0),
    lastError: text(),
    /** Given up after the last attempt: embedded again at the next change. */
    failed: boolean().notNull().default(false),
    markedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.entityType, t.entityId] }),
    index('embed_pending_unscheduled_idx')
      .on(t.markedAt)
      .where(sql`not scheduled`),
  ],
);
