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
  /** Counts `by` hits (default one) against the window; RATE_LIMITED once past its limit. */
  async hit(key: string, window: Window, by = 1): Promise<void> {
    const [row] = await this.count([key], window.seconds, by);
    if (row && row.count > window.limit) throw new RateLimitedError(row.retryAfter);
  }

  /**
   * Adds `by` to the counters of several keys in one statement (a new window where one has ended)
   * and returns each key's count now, in the order given. Keys must be distinct.
   */
  async count(
    keys: string[],
    seconds: number,
    by = 1,
  ): Promise<Array<{ key: string; count: number; retryAfter: number }>> {
    if (keys.length === 0) return [];
    const rows = await execRows<{ key: string; count: number; retry_after: number }>(
      this.db,
      sql`insert into rate_limits (key, count, reset_at)
          select k, ${by}, now() + make_interval(secs => ${seconds}) from unnest(${sql.param(keys)}::text[]) as k
          on conflict (key) do update set
            count = case when rate_limits.reset_at <= now() then ${by} else rate_limits.count + ${by} end,
            reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
          returning key, count, extract(epoch from (reset_at - now()))::float8 as retry_after`,
    );
    const byKey = new Map(
      rows.map((r) => [r.key, { key: r.key, count: Number(r.count), retryAfter: Number(r.retry_after) }]),
    );
    return keys.map((key) => byKey.get(key)!);
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
