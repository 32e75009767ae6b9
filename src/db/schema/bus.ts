import { sql } from 'drizzle-orm';
import { bigserial, customType, index, jsonb, pgTable } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()), read as text. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The outbox of the event bus: every event a subscription may deliver, written in the transaction
 * that commits it, with that transaction's id. Replicas read it in (txid, id) order below the
 * snapshot horizon (pg_snapshot_xmin: every older transaction has ended), so nothing committed is
 * skipped however late it commits; NOTIFY only wakes them. Trimmed after BUS_RETENTION_S.
 */
export const busEvents = pgTable(
  'bus_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    txid: xid8()
      .notNull()
      .default(sql`pg_current_xact_id()`),
    payload: jsonb().notNull(),
    createdAt: ts()
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('bus_events_txid_idx').on(t.txid, t.id)],
);
