import type { Queryable } from '../../db/client.js';
import type { App } from '../../shared/app.js';
import type { Connection } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { listNotifications, markRead, unreadCount } from './notification.store.js';
import type { NotificationRow } from './notification.type.js';
import { notifications } from '../../db/schema/index.js';
import { publish } from '../../shared/event-bus.js';

export type NotificationKind = (typeof notifications.$inferInsert)['kind'];

export interface NotificationInput {
  userId: string;
  kind: NotificationKind;
  title: string;
  body?: string | null;
  entityType?: string | null;
  entityId?: string | null;
}

/**
 * Writes notification rows and queues their event in the same transaction: PostgreSQL delivers a
 * NOTIFY on commit only, so a rolled-back mutation announces nothing.
 */
export async function createNotifications(tx: Queryable, entries: NotificationInput[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = await tx
    .insert(notifications)
    .values(entries)
    .returning({ id: notifications.id, userId: notifications.userId });
  for (const row of rows) {
    await publish(tx, { topic: 'notification', userId: row.userId, id: row.id });
  }
}

/** The viewer's notifications: the feed, the unread count, marking read. */
export class NotificationService {
  constructor(private readonly app: App) {}

  list(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
    unreadOnly: boolean | null | undefined,
  ): Promise<Connection<NotificationRow>> {
    return listNotifications(this.app.db, viewer.userId, first, after, unreadOnly);
  }

  unread(viewer: Viewer): Promise<number> {
    return unreadCount(this.app.db, viewer.userId);
  }

  markRead(viewer: Viewer, ids: string[] | null | undefined): Promise<number> {
    return markRead(this.app.db, viewer.userId, ids);
  }
}
