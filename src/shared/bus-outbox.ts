import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, type Queryable, execRows } from '../db/client.js';

/** The channel every replica LISTENs on: a wake-up (empty payload), or an ephemeral event itself. */
export const BUS_CHANNEL = 'orbit_events';
/** NOTIFY refuses payloads over 8,000 bytes; an ephemeral event stays under this once encoded. */
export const NOTIFY_MAX_BYTES = 7_900;

/**
 * Writes an event to the outbox in `q`'s transaction and wakes the replicas when it commits: one
 * statement. A rolled-back transaction leaves neither.
 */
export async function writeOutbox(q: Queryable, event: unknown): Promise<void> {
  await q.execute(
    sql`with written as (insert into bus_events (payload) values (${JSON.stringify(event)}::jsonb))
        select pg_notify(${BUS_CHANNEL}, '')`,
  );
}

/** Sends an ephemeral event (live only, never replayed) as the NOTIFY payload itself. */
export async function notifyNow(q: Queryable, event: unknown): Promise<void> {
  const payload = JSON.stringify(event);
  const bytes = Buffer.byteLength(payload);
  if (bytes > NOTIFY_MAX_BYTES) throw new Error(`an ephemeral event of ${bytes} bytes is over ${NOTIFY_MAX_BYTES}`);
  await q.execute(sql`select pg_notify(${BUS_CHANNEL}, ${payload})`);
}

/**
 * The snapshot horizon: every transaction with a lower id has ended, so rows written below it are
 * final (committed or gone). Events and notifications are read in transaction-id order below it.
 */
export const HORIZON = sql`pg_snapshot_xmin(pg_current_snapshot())`;

interface Row {
  id: number | string | null;
  txid: string | null;
  payload: unknown;
}

/** An outbox event with its commit-ordered position. */
export interface OutboxEvent {
  txid: string;
  id: number;
  payload: unknown;
}

/** Hands a batch of events on, in order; the cursor moves past them once it resolves (a failure reads them again). */
export type Deliver = (events: OutboxEvent[]) => void | Promise<void>;
const BATCH = 500;

/**
 * Reads the outbox from this replica's cursor and delivers each event once, in (txid, id) order:
 * only below the snapshot horizon (every transaction older than it has ended), so an event whose
 * transaction commits late is still read, never skipped. Woken by NOTIFY, after a re-LISTEN (what
 * was committed during the gap), every `pollMs`, and soon again while a newer event waits above the
 * horizon (10 ms, doubling: the delay an open older transaction adds is about its own length).
 */
export class OutboxReader {
  private cursor: { txid: string; id: number } | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private backoffMs = 0;

  constructor(
    private readonly db: Db,
    private readonly deliver: Deliver,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  /** Starts from the present: what is below the horizon now is history, not news. */
  async start(): Promise<void> {
    const [row] = await execRows<{ xmin: string }>(this.db, sql`select ${HORIZON}::text as xmin`);
    this.cursor = { txid: row!.xmin, id: 0 };
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.cursor = null;
    return this.running ?? Promise.resolve();
  }

  /** Reads what is new now (or right after the read in progress). */
  wake(): void {
    if (!this.cursor) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.logger.warn({ err }, 'event bus: reading the outbox failed; retrying'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once what was committed before the call has been delivered (tests, shutdown). */
  async caughtUp(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let cursor = this.cursor; cursor; cursor = this.cursor) {
      // The rows below the horizon, and whether any newer one waits above it (a transaction that
      // started earlier is still open): then read again shortly rather than at the next poll.
      const rows = await execRows<Row>(
        this.db,
        sql`with horizon as (select ${HORIZON} as xmin)
            (select id, txid::text as txid, payload from bus_events, horizon
              where (txid, id) > (${cursor.txid}::xid8, ${cursor.id}) and txid < horizon.xmin
              order by txid, id limit ${BATCH})
            union all
            (select null, null, null from bus_events, horizon
              where txid >= horizon.xmin and txid >= ${cursor.txid}::xid8 limit 1)`,
      );
      const ready: OutboxEvent[] = rows
        .filter((row) => row.txid !== null)
        .map((row) => ({
          txid: row.txid!,
          id: Number(row.id),
          payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
        }));
      if (ready.length > 0) {
        await this.deliver(ready);
        if (!this.cursor) return;
        const last = ready[ready.length - 1]!;
        this.cursor = { txid: last.txid, id: last.id };
      }
      if (ready.length < BATCH) {
        this.retrySoon(ready.length < rows.length);
        return;
      }
    }
  }

  /** While rows wait above the horizon, reads again after 10, 20, 40 … ms (up to the poll interval). */
  private retrySoon(waiting: boolean): void {
    clearTimeout(this.soon);
    if (!waiting) {
      this.backoffMs = 0;
      return;
    }
    this.backoffMs = Math.min(this.pollMs, this.backoffMs ? this.backoffMs * 2 : 10);
    this.soon = setTimeout(() => this.wake(), this.backoffMs);
    this.soon.unref();
  }
}
