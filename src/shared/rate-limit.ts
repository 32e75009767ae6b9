import { sql } from 'drizzle-orm';
import { type Queryable, execRows } from '../db/client.js';
import { RateLimitedError } from './errors.js';

export interface Window {
  limit: number;
  seconds: number;
}

/**
 * Fixed-window counters in the database, so every replica sees the same numbers. `hit` counts one
 * attempt and throws RATE_LIMITED once the window holds more than `limit`.
 */
export class RateLimiter {
  constructor(private readonly db: Queryable) {}

  /** Counts an attempt; throws when it is over the limit. */
  async hit(key: string, window: Window): Promise<void> {
    const [row] = await execRows<{ count: number; retry_after: number }>(
      this.db,
      sql`insert into rate_limits (key, count, reset_at)
          values (${key}, 1, now() + make_interval(secs => ${window.seconds}))
          on conflict (key) do update set
            count = case when rate_limits.reset_at <= now() then 1 else rate_limits.count + 1 end,
            reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
          returning count, extract(epoch from (reset_at - now()))::float8 as retry_after`,
    );
    if (row && Number(row.count) > window.limit) throw new RateLimitedError(Number(row.retry_after));
  }

  /** Throws when the window is already full, without counting. */
  async check(key: string, window: Window): Promise<void> {
    const [row] = await execRows<{ count: number; retry_after: number }>(
      this.db,
      sql`select count, extract(epoch from (reset_at - now()))::float8 as retry_after
          from rate_limits where key = ${key} and reset_at > now()`,
    );
    if (row && Number(row.count) >= window.limit) throw new RateLimitedError(Number(row.retry_after));
  }

  /** Counts a failure without throwing. */
  async record(key: string, window: Window): Promise<void> {
    await this.hit(key, { ...window, limit: Number.MAX_SAFE_INTEGER });
  }

  async reset(key: string): Promise<void> {
    await execRows(this.db, sql`delete from rate_limits where key = ${key}`);
  }
}
