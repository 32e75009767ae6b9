import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import type { EventBus, BusEvent } from '../../shared/event-bus.js';
import { publish } from '../../shared/event-bus.js';
import type { Viewer } from '../../shared/viewer.js';

/** The events after which a cached viewer may be wrong: a session ended, or its user changed. */
export type ViewerEvent = Extract<BusEvent, { topic: 'sessions.revoked' | 'user.signout' | 'user.changed' }>;

interface Entry {
  viewer: Viewer;
  /** The counter when the database read behind this entry began. */
  readAt: number;
  /** ms since epoch: the token's expiry or the cache's own limit, whichever comes first. */
  until: number;
}

interface Mark {
  /** Entries read before this count are stale. */
  after: number;
  /** Changes this replica has announced and not yet seen committed: nothing of it is trusted meanwhile. */
  holds: number;
  /** When the mark last changed (ms), to forget it once no entry it could concern is left. */
  at: number;
}

export interface ViewerCacheOptions {
  maxEntries: number;
  maxAgeMs: number;
}

/**
 * Verified access tokens and the viewer each resolved to, until the session or its user changes:
 * a request with a cached token needs neither the JWT check nor the session query.
 *
 * Staleness is decided by a counter, not by deleting entries: every read of the database takes the
 * counter first, and a change to a session or user leaves a mark with a later count. An entry read
 * before a mark is stale, so a read that races a change cannot store what the change replaced.
 * - The replica that is about to commit such a change holds it (`hold`): until its own NOTIFY comes
 *   back it neither serves nor stores entries of that session or user, so the writer's next request
 *   sees the change at once.
 * - Every replica marks the change (`changed`) when the NOTIFY arrives, which happens on commit
 *   only. A rolled-back change leaves a hold that is forgotten after maxAgeMs.
 * - When the listener has to re-LISTEN, events may have been missed: everything is dropped.
 * maxAgeMs also bounds what any missed signal could cost.
 */
export class ViewerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly users = new Map<string, Mark>();
  private readonly sessions = new Map<string, Mark>();
  private count = 0;
  private clearedAt = 0;
  /** Tags the changes this replica announces, to tell its own NOTIFYs from other replicas'. */
  readonly origin = Math.random().toString(36).slice(2);

  constructor(private readonly options: ViewerCacheOptions) {}

  /** Listens for changes on the hub (every replica's, through LISTEN/NOTIFY). */
  attach(hub: EventBus): () => void {
    const offs = (['sessions.revoked', 'user.signout', 'user.changed'] as const).map((topic) =>
      hub.on(topic, (event) => this.changed(event as ViewerEvent)),
    );
    offs.push(hub.onRelisten(() => this.clear()));
    return () => offs.forEach((off) => off());
  }

  /** Takes the counter before reading the database for a token. */
  begin(): number {
    return ++this.count;
  }

  get(token: string): Viewer | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.until <= Date.now() || this.stale(entry.viewer, entry.readAt)) {
      this.entries.delete(token);
      return null;
    }
    return entry.viewer;
  }

  /** Keeps a viewer read after `begin()` returned readAt, unless something changed since. */
  put(token: string, viewer: Viewer, readAt: number): void {
    if (this.options.maxEntries === 0 || this.stale(viewer, readAt)) return;
    const now = Date.now();
    const until = Math.min(viewer.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY, now + this.options.maxAgeMs);
    if (until <= now) return;
    if (this.entries.size >= this.options.maxEntries) this.evict(now);
    this.entries.set(token, { viewer, readAt, until });
  }

  /** This replica is about to commit the change: it trusts nothing the change concerns until it sees it committed. */
  hold(event: ViewerEvent): ViewerEvent {
    this.mark(event, 1);
    return { ...event, origin: this.origin };
  }

  /** The change has committed (its NOTIFY arrived): entries read before now are stale. */
  changed(event: ViewerEvent): void {
    this.mark(event, event.origin === this.origin ? -1 : 0);
  }

  clear(): void {
    this.entries.clear();
    // Reads under way began before the clear: their results must not be stored either.
    this.clearedAt = ++this.count;
  }

  private mark(event: ViewerEvent, holds: number): void {
    const at = Date.now();
    const after = ++this.count;
    const [map, keys] = event.topic === 'sessions.revoked' ? [this.sessions, event.ids] : [this.users, [event.userId]];
    for (const key of keys) {
      const mark = map.get(key);
      if (mark) {
        mark.after = after;
        mark.holds = Math.max(0, mark.holds + holds);
        mark.at = at;
      } else map.set(key, { after, holds: Math.max(0, holds), at });
    }
    if (map.size > this.options.maxEntries) this.forgetOldMarks(map, at);
  }

  private stale(viewer: Viewer, readAt: number): boolean {
    if (this.clearedAt >= readAt) return true;
    return (
      this.blocks(this.users.get(viewer.userId), readAt) ||
      (viewer.sessionId !== null && this.blocks(this.sessions.get(viewer.sessionId), readAt))
    );
  }

  private blocks(mark: Mark | undefined, readAt: number): boolean {
    if (!mark) return false;
    // A hold this old belongs to a change that never committed.
    if (mark.holds > 0 && Date.now() - mark.at > this.options.maxAgeMs) mark.holds = 0;
    return mark.holds > 0 || mark.after >= readAt;
  }

  /**
   * A mark older than maxAgeMs concerns no entry any more (every entry read before it has expired),
   * and a hold that old belongs to a change that never committed.
   */
  private forgetOldMarks(map: Map<string, Mark>, now: number): void {
    for (const [key, mark] of map) if (now - mark.at > this.options.maxAgeMs) map.delete(key);
  }

  private evict(now: number): void {
    for (const [token, entry] of this.entries) if (entry.until <= now) this.entries.delete(token);
    // Still full: the oldest insertion goes (Map keeps insertion order).
    while (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * Publishes a change to sessions or users on its transaction. This replica stops trusting cached
 * viewers it concerns at once; every replica does when the NOTIFY arrives on commit.
 */
export async function announce(app: App, tx: Queryable, event: ViewerEvent): Promise<void> {
  await publish(tx, app.viewers.hold(event));
}
