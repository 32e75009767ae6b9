import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './users.js';

/**
 * Mutations sent with an `Idempotency-Key` header: one row per credential and key (`id` is an HMAC of
 * both, so the key itself is not stored). RUNNING while the first request executes (until
 * `lockedUntil`, after which a retry may take it over), then DONE with the response sealed with a key
 * derived from the server's key, the credential and the idempotency key. Kept until `expiresAt` (24 h).
 * COMMITTED: a transaction of the first request committed (its marker is the transaction's first
 * statement) and the response is not kept yet.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** sha256 of the document's hash, the operation name and the variables. */
    fingerprint: text().notNull(),
    state: text({ enum: ['RUNNING', 'COMMITTED', 'DONE'] })
      .notNull()
      .default('RUNNING'),
    lockedUntil: ts().notNull(),
    httpStatus: integer(),
    response: text(),
    createdAt: ts()
      .notNull()
      .default(sql`now()`),
    expiresAt: ts().notNull(),
  },
  (t) => [index('idempotency_keys_expires_idx').on(t.expiresAt), index('idempotency_keys_user_idx').on(t.userId)],
);
