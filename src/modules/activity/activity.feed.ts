import { and, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, listMembers } from '../../db/schema/index.js';
import { type Connection, cursorCast, keysetAfter, keysetOrder, pageRequest, toConnection } from '../../shared/pagination.js';
import type { ActivityRow } from './activity.type.js';

/** The viewer's own actions and everyone's actions on lists the viewer can see, newest first. */
export async function activityFeed(
  db: Db,
  viewerId: string,
  first: number | null | undefined,
  after: string | null | undefined,
  entityType: string | null | undefined,
): Promise<Connection<ActivityRow>> {
  const page = pageRequest(first, after);
  const visible = or(
    eq(activities.actorId, viewerId),
    sql`${activities.listId} in (select ${listMembers.listId} from ${listMembers} where ${listMembers.userId} = ${viewerId})`,
  );
  const scope = and(visible, entityType ? eq(activities.entityType, entityType) : undefined);
  const rows = await db
    .select()
    .from(activities)
    .where(and(scope, keysetAfter(activities.createdAt, activities.id, 'DESC', page.after, cursorCast.timestamptz)))
    .orderBy(...keysetOrder(activities.createdAt, activities.id, 'DESC'))
    .limit(page.limit + 1);
  return toConnection(rows, page, (r) => [r.createdAt.toISOString(), r.id], async () => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(activities).where(scope);
    return Number(row?.n ?? 0);
  });
}
