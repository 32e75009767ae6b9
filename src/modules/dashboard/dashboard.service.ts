import { and, asc, inArray, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { events, tasks } from '../../db/schema/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { overlaps, visibleEvents } from '../calendar/index.js';
import { addDays, dateInZone, startOfDay } from '../../shared/zones.js';
import { visibleListIds } from '../tasks/index.js';
import { unreadCount } from '../notifications/index.js';

export interface TaskCounts {
  open: number;
  dueToday: number;
  overdue: number;
}

/**
 * The dashboard: a read model over the tasks, calendar, notifications and journal tables. It reads
 * through SQL (and the SQL helpers those modules export), never through their services.
 */
export class DashboardService {
  constructor(private readonly app: App) {}

  unreadNotifications(viewer: Viewer): Promise<number> {
    return unreadCount(this.app.db, viewer.userId);
  }

  /** Open, due-today and overdue counts in one statement, "today" in the user's timezone. */
  async taskCounts(viewer: Viewer): Promise<TaskCounts> {
    const zone = viewer.user.timezone;
    const today = dateInZone(new Date(), zone);
    const start = sql`${startOfDay(today, zone).toISOString()}::timestamptz`;
    const end = sql`${startOfDay(addDays(today, 1), zone).toISOString()}::timestamptz`;
    const [row] = await this.app.db
      .select({
        open: sql<number>`count(*)::int`,
        dueToday: sql<number>`(count(*) filter (where ${tasks.dueAt} >= ${start} and ${tasks.dueAt} < ${end}))::int`,
        overdue: sql<number>`(count(*) filter (where ${tasks.dueAt} < ${start}))::int`,
      })
      .from(tasks)
      .where(
        and(sql`${tasks.listId} in ${visibleListIds(viewer.userId)}`, inArray(tasks.status, ['TODO', 'IN_PROGRESS'])),
      );
    return { open: Number(row?.open ?? 0), dueToday: Number(row?.dueToday ?? 0), overdue: Number(row?.overdue ?? 0) };
  }

  /** The next 7 days' events (own and accepted/pending/tentative invitations). */
  upcoming(viewer: Viewer, limit: number) {
    const now = new Date();
    const week = new Date(now.getTime() + 7 * 86_400_000);
    return this.app.db
      .select()
      .from(events)
      .where(and(visibleEvents(viewer.userId, false), overlaps(now, week, viewer.user.timezone)))
      .orderBy(asc(events.startsAt), asc(events.id))
      .limit(Math.max(0, Math.min(limit, 50)));
  }
}
