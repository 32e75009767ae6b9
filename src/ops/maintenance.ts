import { and, eq, lt, sql } from 'drizzle-orm';
import { expirePending } from '../modules/assistant/index.js';
import { purgeCaptureAudio } from '../modules/capture/index.js';
import { purgeUploads } from '../modules/uploads/index.js';
import { wakeSnoozed } from '../modules/tracker/index.js';
import { releaseLapsed } from '../modules/usage/index.js';
import type { App } from '../shared/app.js';
import {
  assistantActions,
  busEvents,
  credentialTaints,
  emailTokens,
  idempotencyKeys,
  notifications,
  rateLimits,
  tickets,
  usageReservations,
} from '../db/schema/index.js';

export const NOTIFICATION_RETENTION_DAYS = 30;

/**
 * Deletes what is kept for a limited time (notifications after 30 days, spent counters and tokens,
 * decided assistant actions and finished reservations after ASSISTANT_RETENTION_DAYS, ended MCP taint
 * windows, unconfirmed public-form tickets after a day, outbox events after BUS_RETENTION_S, idempotency keys after IDEMPOTENCY_TTL_S), gives back lapsed reservations, expires pending assistant actions.
 */
export async function sweep(app: App): Promise<void> {
  await app.db
    .delete(notifications)
    .where(lt(notifications.createdAt, sql`now() - make_interval(days => ${NOTIFICATION_RETENTION_DAYS})`));
  await app.db.delete(rateLimits).where(lt(rateLimits.resetAt, sql`now()`));
  await app.db.delete(emailTokens).where(lt(emailTokens.expiresAt, sql`now() - interval '1 day'`));
  await releaseLapsed(app.db);
  await expirePending(app.db);
  // Decided assistant actions and finished token reservations are kept ASSISTANT_RETENTION_DAYS.
  const keep = sql`now() - make_interval(days => ${app.config.ASSISTANT_RETENTION_DAYS})`;
  await app.db.execute(
    sql`delete from ${assistantActions} where status <> 'PENDING' and coalesce(decided_at, created_at) < ${keep}`,
  );
  await app.db.execute(
    sql`delete from ${usageReservations} where (settled_at is not null or released_at is not null) and created_at < ${keep}`,
  );
  // Public-form submissions never confirmed are dropped after a day (with their links).
  await app.db
    .delete(tickets)
    .where(and(eq(tickets.confirmed, false), lt(tickets.createdAt, sql`now() - interval '24 hours'`)));
  await app.db.delete(credentialTaints).where(lt(credentialTaints.until, sql`now()`));
  await app.db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, sql`now()`));
  // Voice: audio past its retention, uploads expired or never used (24 h after staging).
  await purgeCaptureAudio(app.db);
  await purgeUploads(app.db);
  // The outbox keeps events BUS_RETENTION_S: long enough for a replica cut off for that long to catch up.
  await app.db
    .delete(busEvents)
    .where(lt(busEvents.createdAt, sql`now() - make_interval(secs => ${app.config.BUS_RETENTION_S})`));
}

/**
 * Runs `sweep` at start and then hourly; every replica may run it, the deletes are idempotent. Snoozed
 * tickets are woken every SNOOZE_WAKE_MS (an update of the due ones: idempotent too).
 */
export function scheduleMaintenance(app: App, everyMs = 3_600_000): () => void {
  const run = () => sweep(app).catch((err: unknown) => app.logger.warn({ err }, 'maintenance sweep failed'));
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  const wake = setInterval(
    () => void wakeSnoozed(app.db).catch((err: unknown) => app.logger.warn({ err }, 'waking snoozed tickets failed')),
    app.config.SNOOZE_WAKE_MS,
  );
  wake.unref();
  return () => {
    clearInterval(timer);
    clearInterval(wake);
  };
}
