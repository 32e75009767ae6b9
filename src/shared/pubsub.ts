import type { Logger } from 'pino';
import type { PubSub } from 'type-graphql';
import type { Database } from '../db/client.js';
import { EVENTS_CHANNEL } from '../modules/notifications/notification.service.js';

/** What travels through NOTIFY: ids only, never rows. */
export type OrbitEvent =
  | { topic: 'notification'; userId: string; id: string }
  | { topic: 'task'; listId: string; taskId: string; kind: 'CREATED' | 'UPDATED' | 'DELETED'; actorId: string }
  // origin: the replica that announced a change to sessions or users (see ViewerCache).
  | { topic: 'sessions.revoked'; ids: string[]; origin?: string }
  | { topic: 'user.signout'; userId: string; origin?: string }
  | { topic: 'user.changed'; userId: string; origin?: string }
  | { topic: 'apikey.revoked'; id: string }
  | { topic: 'assistant.chunk'; conversationId: string; messageId: string; delta: string; done: boolean };

/** The key subscribers wait on for an event. */
export function eventKey(event: OrbitEvent): string {
  switch (event.topic) {
    case 'notification':
      return `notification:${event.userId}`;
    case 'task':
      return `task:${event.listId}`;
    case 'assistant.chunk':
      return `assistant:${event.conversationId}`;
    default:
      return event.topic;
  }
}

type Listener = (event: OrbitEvent) => void;

/**
 * Every replica LISTENs on one channel; each event is handed to the local subscribers of its key.
 * NOTIFY is sent inside the writing transaction, so an event exists only if its rows were committed.
 */
export class EventHub implements PubSub {
  private readonly listeners = new Map<string, Set<Listener | LiveEvents>>();
  private readonly relistened = new Set<() => void>();
  private unlisten: (() => Promise<void>) | undefined;
  /** Events handed to subscriptions and not yet done with (see LiveEvents). */
  private inFlight = 0;

  constructor(private readonly logger: Logger) {}

  async start(database: Database): Promise<void> {
    this.unlisten = await database.listen(
      EVENTS_CHANNEL,
      (payload) => {
        try {
          this.dispatch(JSON.parse(payload) as OrbitEvent);
        } catch (error) {
          this.logger.warn({ err: error }, 'unreadable event');
        }
      },
      () => {
        for (const listener of this.relistened) listener();
      },
    );
  }

  /** Called whenever LISTEN is (re)established: events sent while it was down are lost. */
  onRelisten(listener: () => void): () => void {
    this.relistened.add(listener);
    return () => this.relistened.delete(listener);
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.unlisten = undefined;
  }

  dispatch(event: OrbitEvent): void {
    for (const listener of this.listeners.get(eventKey(event)) ?? []) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.push(event);
      } catch (error) {
        this.logger.error({ err: error, topic: event.topic }, 'event listener failed');
      }
    }
  }

  on(key: string, listener: Listener): () => void {
    this.add(key, listener);
    return () => this.remove(key, listener);
  }

  add(key: string, listener: Listener | LiveEvents): void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
  }

  remove(key: string, listener: Listener | LiveEvents): void {
    const set = this.listeners.get(key);
    if (set?.delete(listener) && set.size === 0) this.listeners.delete(key);
  }

  /** The events of a key as an async iterator; buffered from the moment it is called. */
  iterate(key: string): AsyncIterableIterator<OrbitEvent> {
    return new LiveEvents(this, key);
  }

  /** Counts an event a subscription has received (+1) or finished with (-1). */
  track(delta: number): void {
    this.inFlight += delta;
  }

  /**
   * Resolves once no subscription is busy with an event, seen between two turns of the event loop
   * (or after timeoutMs): what shutdown waits for before it closes sockets.
   */
  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.inFlight > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  // type-graphql's PubSub interface; Orbit's subscriptions use `iterate` through their own subscribe functions.
  publish(routingKey: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(routingKey) ?? []) {
      if (typeof listener === 'function') listener(args[0] as OrbitEvent);
      else listener.push(args[0] as OrbitEvent);
    }
  }

  subscribe(routingKey: string): AsyncIterable<unknown> {
    return this.iterate(routingKey);
  }
}

/**
 * A subscriber's queue of events. A class registered as itself rather than through closures: with
 * thousands of idle subscriptions, per-instance closures are a large part of a connection's memory.
 * An event counts as in flight from its arrival until the consumer asks for the next one, which it
 * does only once it has delivered this one.
 */
class LiveEvents implements AsyncIterableIterator<OrbitEvent> {
  private queue: OrbitEvent[] | null = null;
  private wake: ((r: IteratorResult<OrbitEvent>) => void) | undefined;
  private done = false;
  /** The consumer holds an event it has not finished with. */
  private busy = false;

  constructor(
    private readonly hub: EventHub,
    private readonly key: string,
  ) {
    hub.add(key, this);
  }

  push(event: OrbitEvent): void {
    this.hub.track(1);
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      this.busy = true;
      wake({ value: event, done: false });
    } else (this.queue ??= []).push(event);
  }

  next(): Promise<IteratorResult<OrbitEvent>> {
    this.finish();
    const queued = this.queue?.shift();
    if (queued) {
      this.busy = true;
      return Promise.resolve({ value: queued, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.wake = resolve));
  }

  return(): Promise<IteratorResult<OrbitEvent>> {
    this.finish();
    if (!this.done) {
      this.done = true;
      this.hub.remove(this.key, this);
      this.hub.track(-(this.queue?.length ?? 0));
      this.queue = null;
    }
    this.wake?.({ value: undefined, done: true });
    this.wake = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(error: unknown): Promise<IteratorResult<OrbitEvent>> {
    await this.return();
    throw error;
  }

  private finish(): void {
    if (this.busy) {
      this.busy = false;
      this.hub.track(-1);
    }
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
