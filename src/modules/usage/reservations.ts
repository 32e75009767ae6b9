import { sql } from 'drizzle-orm';
import { type Queryable, execRows } from '../../db/client.js';

/** How long a reservation holds its tokens unsettled. */
export const RESERVATION_MINUTES = 10;

/**
 * Gives back the tokens of reservations that lapsed unsettled: one user's (before a new reservation
 * is judged) or everyone's (the hourly sweep). One statement: the reservations are marked released
 * and their month's reserved tokens lowered together.
 */
export async function releaseLapsed(q: Queryable, userId?: string): Promise<number> {
  const [row] = await execRows<{ n: number }>(
    q,
    sql`with lapsed as (
          update usage_reservations set released_at = now()
          where settled_at is null and released_at is null and expires_at <= now()${userId ? sql` and user_id = ${userId}` : sql``}
          returning user_id, month, estimated_tokens
        ),
        sums as (select user_id, month, sum(estimated_tokens)::bigint as n from lapsed group by user_id, month),
        given_back as (
          update monthly_usage m set reserved_tokens = greatest(0, m.reserved_tokens - s.n)
          from sums s where m.user_id = s.user_id and m.month = s.month
          returning 1
        )
        select count(*)::int as n from lapsed`,
  );
  return Number(row?.n ?? 0);
}
