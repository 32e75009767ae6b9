import type { Queryable } from '../../db/client.js';
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
