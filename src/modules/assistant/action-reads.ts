import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { assistantActions } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { NotFoundError } from '../../shared/errors.js';
import { publish } from '../../shared/event-bus.js';
import { parseId } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import type { ActionRow, AssistantActionStatus } from './action.type.js';

/** Whether the action's 24 hours are over, by the database's clock (which wrote expiresAt). */
export const actionExpired = sql<boolean>`coalesce(${assistantActions.expiresAt} <= now(), false)`;

/** Reads of assistant actions; a PENDING action past its 24 hours is EXPIRED when read. */
export async function getAction(app: App, viewer: Viewer, id: string): Promise<ActionRow> {
  const [row] = await app.db
    .select({ action: assistantActions, expired: actionExpired })
    .from(assistantActions)
    .where(and(eq(assistantActions.id, parseId(id, 'AssistantAction')), eq(assistantActions.userId, viewer.userId)));
  if (!row) throw new NotFoundError('AssistantAction');
  const { action, expired } = row;
  if (action.status === 'PENDING' && expired) {
    return app.db.transaction((tx) => expireAction(tx, action));
  }
  return action;
}

export async function listActions(
  app: App,
  viewer: Viewer,
  status: AssistantActionStatus | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<ActionRow>> {
  const page = pageRequest(first, after);
  await expirePending(app.db, viewer.userId);
  const scope = and(
    eq(assistantActions.userId, viewer.userId),
    status ? eq(assistantActions.status, status) : undefined,
  );
  return keysetPage(
    page,
    {
      expr: assistantActions.createdAt,
      id: assistantActions.id,
      dir: 'DESC',
      cast: cursorCast.timestamptz,
      cursorOf: (r) => [r.createdAt.toISOString(), r.id],
    },
    (past, order, limit) =>
      app.db
        .select()
        .from(assistantActions)
        .where(and(scope, past))
        .orderBy(...order)
        .limit(limit),
    () => countWhere(app.db, assistantActions, scope),
  );
}

/** Marks one PENDING action EXPIRED; subscribers hear of it. */
export async function expireAction(tx: Tx, action: ActionRow): Promise<ActionRow> {
  const [done] = await tx
    .update(assistantActions)
    .set({ status: 'EXPIRED', decidedAt: sql`clock_timestamp()` })
    .where(eq(assistantActions.id, action.id))
    .returning();
  await publish(tx, { topic: 'assistant.action', userId: action.userId, id: action.id });
  return done!;
}

/**
 * PENDING actions past their 24 hours become EXPIRED: one user's (before their actions are read)
 * or everyone's (the sweep). Subscribers hear of each.
 */
export async function expirePending(q: Tx | App['db'], userId?: string): Promise<number> {
  const expired = await q
    .update(assistantActions)
    .set({ status: 'EXPIRED', decidedAt: sql`clock_timestamp()` })
    .where(
      and(
        eq(assistantActions.status, 'PENDING'),
        sql`${assistantActions.expiresAt} <= now()`,
        userId ? eq(assistantActions.userId, userId) : undefined,
      ),
    )
    .returning({ id: assistantActions.id, userId: assistantActions.userId });
  for (const e of expired) await publish(q, { topic: 'assistant.action', userId: e.userId, id: e.id });
  return expired.length;
}
