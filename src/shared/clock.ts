import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Queryable, execRows } from '../db/client.js';

/**
 * One clock: stored instants are written and compared with the database's time, never the
 * process's, so replicas whose clocks drift agree. What only the process can check (a JWT's expiry)
 * allows CLOCK_TOLERANCE_S of skew.
 */
export const CLOCK_TOLERANCE_S = 30;

/** The transaction's `now()` in epoch milliseconds, as a selected column. */
export const dbNowMs = sql<number>`(extract(epoch from now()) * 1000)::float8`.mapWith(Number);

/** An instant `seconds` after the transaction's `now()`, as a value to write. */
export const dbNowPlus = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

/** The database's clock minus this process's, in ms, read at the midpoint of one round trip. */
export async function clockSkewMs(db: Queryable): Promise<number> {
  const sent = Date.now();
  const [row] = await execRows<{ ms: number }>(
    db,
    sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
  );
  const received = Date.now();
  return Number(row!.ms) - (sent + received) / 2;
}

/**
 * Compares the clocks at start and every minute: `onSkew` gets each reading (a metric), and a skew
 * over a second is logged as a warning. Returns the stop function.
 */
export function watchClock(db: Queryable, logger: Logger, onSkew: (ms: number) => void, everyMs = 60_000) {
  const check = async () => {
    try {
      const skew = await clockSkewMs(db);
      onSkew(skew);
      if (Math.abs(skew) > 1000)
        logger.warn(
          { skewMs: Math.round(skew) },
          "this process's clock differs from the database's by more than 1 s (stored times use the database's)",
        );
    } catch (err) {
      logger.debug({ err }, 'clock check: the database did not answer');
    }
  };
  void check();
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
