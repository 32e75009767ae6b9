import type { Logger } from 'pino';
import type { PubSub } from 'type-graphql';
import type { Database } from '../db/client.js';
import { EVENTS_CHANNEL } from '../modules/notifications/notification.service.js';

/** What travels through NOTIFY: ids only, never rows. */
export type OrbitEvent =
  | { topic: 'notification'; userId: string; id: string }
  | { topic: 'task'; listId: string; taskId: string; kind: 'CREATED' | 'UPDATED' | 'DELETED'; actorId: string }
  | { topic: 'sessions.revoked'; ids: string[] }
  | { topic: 'user.signout'; userId: string }
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
  private readonly listeners = new Map<string, Set<Listener>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly logger: Logger) {}

  async start(database: Database): Promise<void> {
    this.unlisten = await database.listen(EVENTS_CHANNEL, (payload) => {
      try {
        this.dispatch(JSON.parse(payload) as OrbitEvent);
      } catch (error) {
        this.logger.warn({ err: error }, 'unreadable event');
      }
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.unlisten = undefined;
  }

  dispatch(event: OrbitEvent): void {
    for (const listener of this.listeners.get(eventKey(event)) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error, topic: event.topic }, 'event listener failed');
      }
    }
  }

  on(key: string, listener: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** The events of a key as an async iterator; buffered from the moment it is called. */
  iterate(key: string): AsyncIterableIterator<OrbitEvent> {
    return new LiveEvents(this, key);
  }

  // type-graphql's PubSub interface; Orbit's subscriptions use `iterate` through their own subscribe functions.
  publish(routingKey: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(routingKey) ?? []) listener(args[0] as OrbitEvent);
  }

  subscribe(routingKey: string): AsyncIterable<unknown> {
    return this.iterate(routingKey);
  }
}

/**
 * A subscriber's queue of events. A class rather than closures: with thousands of idle
 * subscriptions, per-instance closures are a large part of a connection's memory.
 */
class LiveEvents implements AsyncIterableIterator<OrbitEvent> {
  private readonly queue: OrbitEvent[] = [];
  private wake: ((r: IteratorResult<OrbitEvent>) => void) | undefined;
  private done = false;
  private readonly off: () => void;

  constructor(hub: EventHub, key: string) {
    this.off = hub.on(key, (event) => this.push(event));
  }

  private push(event: OrbitEvent): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake({ value: event, done: false });
    } else this.queue.push(event);
  }

  next(): Promise<IteratorResult<OrbitEvent>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.wake = resolve));
  }

  return(): Promise<IteratorResult<OrbitEvent>> {
    this.done = true;
    this.off();
    this.wake?.({ value: undefined, done: true });
    this.wake = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(error: unknown): Promise<IteratorResult<OrbitEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
