import { and, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { activities, boardMembers, listMembers } from '../../db/schema/index.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { ActivityRow } from './activity.type.js';

/** The viewer's own actions and everyone's actions on lists and boards the viewer can see, newest first. */
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
    sql`${activities.boardId} in (select ${boardMembers.boardId} from ${boardMembers} where ${boardMembers.userId} = ${viewerId})`,
  );
  const scope = and(visible, entityType ? eq(activities.entityType, entityType) : undefined);
  return keysetPage(
    page,
    {
      expr: activities.createdAt,
      id: activities.id,
      dir: 'DESC',
      cast: cursorCast.timestamptz,
      cursorOf: (r) => [r.createdAt.toISOString(), r.id],
    },
    (past, order, limit) =>
      db
        .select()
        .from(activities)
        .where(and(scope, past))
        .orderBy(...order)
        .limit(limit),
    () => countWhere(db, activities, scope),
  );
}
