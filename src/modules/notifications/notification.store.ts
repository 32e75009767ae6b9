import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { notifications } from '../../db/schema/index.js';
import { HORIZON } from '../../shared/bus-outbox.js';
import { validIds } from '../../shared/ids.js';
import type { BusEvent } from '../../shared/event-bus.js';
import { SharedFetch } from '../../shared/shared-fetch.js';
import { whileUnavailable } from '../../shared/retry.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { Db } from '../../db/client.js';
import type { NotificationRow } from './notification.type.js';

const REPLAY_MAX = 1000;
/** A notification reaches every connection of its user: read it once per replica. */
const shared = new SharedFetch<NotificationRow | undefined>();

/** The viewer's notifications, newest first. */
export async function listNotifications(
  db: Db,
  userId: string,
  first: number | null | undefined,
  after: string | null | undefined,
  unreadOnly: boolean | null | undefined,
): Promise<Connection<NotificationRow>> {
  const page = pageRequest(first, after);
  const scope = and(eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined);
  return keysetPage(
    page,
    {
      expr: notifications.seq,
      id: notifications.id,
      dir: 'DESC',
      cast: cursorCast.bigint,
      cursorOf: (r) => [r.seq, r.id],
    },
    (past, order, limit) =>
      db
        .select()
        .from(notifications)
        .where(and(scope, past))
        .orderBy(...order)
        .limit(limit),
    () => countWhere(db, notifications, scope),
  );
}

export function unreadCount(db: Db, userId: string): Promise<number> {
  return countWhere(db, notifications, and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

/** Marks the given notifications (all when ids is null) read; returns how many changed. */
export async function markRead(db: Db, userId: string, ids: string[] | null | undefined): Promise<number> {
  const only = ids ? validIds(ids) : null;
  if (only && only.length === 0) return 0;
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        only ? inArray(notifications.id, only) : undefined,
      ),
    )
    .returning({ id: notifications.id });
  return rows.length;
}

/**
 * notificationAdded: listens first, then replays what came after `after` (in the bus's order), then live
 * events, skipping any it replayed: no gap and no duplicate at the switch-over. Every event is read
 * back from the database for this viewer, with fresh loaders.
 */
export async function notificationStream(
  app: App,
  userId: string,
  after: string | null | undefined,
): Promise<AsyncIterable<NotificationRow>> {
  const live = app.bus.iterate(`notification:${userId}`);
  const db = app.db;
  let replay: NotificationRow[] = [];
  let anchorOf: { txid: string; seq: number } | undefined;
  if (after) {
    const [anchor] = validIds([after]).length
      ? await db
          .select({ seq: notifications.seq, txid: notifications.txid })
          .from(notifications)
          .where(and(eq(notifications.id, validIds([after])[0]!), eq(notifications.userId, userId)))
      : [];
    anchorOf = anchor;
    // An anchor that is gone (older than 30 days, or never the viewer's) replays all that is kept.
    // The bus's order, (txid, seq) below the snapshot horizon: a notification whose transaction
    // committed after the anchor's, though it was inserted first, is not skipped; one above the
    // horizon is not replayed but delivered live once its transaction's turn comes.
    replay = await db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, userId),
          anchor
            ? sql`(${notifications.txid}, ${notifications.seq}) > (${anchor.txid}::xid8, ${anchor.seq})`
            : undefined,
          sql`${notifications.txid} < ${HORIZON}`,
        ),
      )
      .orderBy(notifications.txid, notifications.seq)
      .limit(REPLAY_MAX);
  }
  return new NotificationStream(db, userId, live, replay, after ? (anchorOf ?? null) : null);
}

/**
 * A plain iterator rather than an async generator over `live`: one pending promise per idle
 * subscription instead of a stack of them, and methods on the prototype instead of closures.
 */
class NotificationStream implements AsyncIterableIterator<NotificationRow> {
  private readonly replayed: Set<string> | null;

  constructor(
    private readonly db: Db,
    private readonly userId: string,
    private readonly live: AsyncIterableIterator<BusEvent>,
    private replay: NotificationRow[],
    /** The `after` notification: a live event at or before it (delivered late by the bus) is not sent. */
    private readonly anchor: { txid: string; seq: number } | null,
  ) {
    this.replayed = replay.length ? new Set(replay.map((r) => r.id)) : null;
  }

  next(): Promise<IteratorResult<NotificationRow>> {
    const fromReplay = this.replay.shift();
    if (fromReplay) return Promise.resolve({ value: fromReplay, done: false });
    return this.pull();
  }

  private pull(): Promise<IteratorResult<NotificationRow>> {
    return this.live.next().then((item) => {
      if (item.done) return { value: undefined, done: true };
      const event = item.value;
      if (event.topic !== 'notification' || this.replayed?.has(event.id)) return this.pull();
      // Notification has no relations, so there are no loaders to refresh here.
      return whileUnavailable(() => shared.get(event.id, () => this.read(event.id))).then((row) =>
        row && row.userId === this.userId && !this.atOrBeforeAnchor(row) ? { value: row, done: false } : this.pull(),
      );
    });
  }

  /** In the bus's (txid, seq) order, the anchor itself or a notification before it. */
  private atOrBeforeAnchor(row: NotificationRow): boolean {
    if (!this.anchor) return false;
    const [a, b] = [BigInt(row.txid), BigInt(this.anchor.txid)];
    return a < b || (a === b && row.seq <= this.anchor.seq);
  }

  private async read(id: string): Promise<NotificationRow | undefined> {
    return (await this.db.select().from(notifications).where(eq(notifications.id, id)))[0];
  }

  async return(): Promise<IteratorResult<NotificationRow>> {
    this.replay = [];
    await this.live.return?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
