import type { Queryable } from '../../db/client.js';
import type { App } from '../../shared/app.js';
import type { Connection } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { activityFeed } from './activity.feed.js';
import type { ActivityRow } from './activity.type.js';
import { activities } from '../../db/schema/index.js';

export interface ActivityInput {
  actorId: string;
  /** e.g. task.created, session.reuse_detected */
  verb: string;
  entityType: string;
  entityId: string;
  summary: string;
  /** The task list it happened in, so the list's members see it. */
  listId?: string | null;
  /** The board it happened on, so the board's members see it. */
  boardId?: string | null;
}

/** Writes activity rows; call it with the mutation's transaction. */
export async function recordActivity(tx: Queryable, ...entries: ActivityInput[]): Promise<void> {
  if (entries.length === 0) return;
  await tx
    .insert(activities)
    .values(entries.map((e) => ({ ...e, listId: e.listId ?? null, boardId: e.boardId ?? null })));
}

/** The activity feed as the viewer sees it. */
export class ActivityService {
  constructor(private readonly app: App) {}

  feed(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
    entityType: string | null | undefined,
  ): Promise<Connection<ActivityRow>> {
    return activityFeed(this.app.db, viewer.userId, first, after, entityType);
  }
}
