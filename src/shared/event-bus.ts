import type { Logger } from 'pino';
import type { PubSub } from 'type-graphql';
import type { Database, Queryable } from '../db/client.js';
import { NatsTransport } from './bus-nats.js';
import { BUS_CHANNEL, OutboxReader, notifyNow, writeOutbox } from './bus-outbox.js';

export { BUS_CHANNEL } from './bus-outbox.js';

/**
 * The topics of the bus and what each event of a topic carries (ids only, never rows). Each module
 * declares its own topics by augmenting this interface (see `<module>/topics.ts`) and registers how
 * its events are routed with `defineTopic`.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each module's declaration merging
export interface Topics {}

/** One event on the bus: a topic with its fields. */
export type BusEvent = { [K in keyof Topics]: { topic: K } & Topics[K] }[keyof Topics];
export type EventOf<K extends keyof Topics> = Extract<BusEvent, { topic: K }>;

const routes = new Map<string, (event: never) => string>();
const ephemeral = new Set<string>();

/**
 * How the events of a topic are routed: subscribers wait on the key this returns (by default the
 * topic itself, for events every replica acts on as a whole). An `ephemeral` topic (a streamed
 * reply's deltas) is live only: sent as the NOTIFY payload, never kept in the outbox or replayed.
 */
export function defineTopic<K extends keyof Topics>(
  topic: K,
  key: (event: EventOf<K>) => string,
  options: { ephemeral?: boolean } = {},
): void {
  routes.set(topic, key);
  if (options.ephemeral) ephemeral.add(topic);
}

/** The key subscribers wait on for an event. */
export function eventKey(event: BusEvent): string {
  const route = routes.get((event as { topic: string }).topic);
  return route ? route(event as never) : (event as { topic: string }).topic;
}

/**
 * Writes an event in the transaction (or on the connection): to the outbox, read by every replica
 * once the transaction commits (a rolled-back write announces nothing, and a replica that was cut
 * off reads what it missed); an ephemeral topic's event goes as a NOTIFY payload, live only.
 */
export async function publish(q: Queryable, event: BusEvent): Promise<void> {
  if (ephemeral.has(event.topic)) await notifyNow(q, event);
  else await writeOutbox(q, event);
}

type Listener = (event: BusEvent) => void;

/**
 * The event bus: every replica LISTENs on one channel; each event is handed to the local subscribers
 * of its key. NOTIFY is sent inside the writing transaction, so an event exists only if its rows
 * were committed.
 */
export class EventBus implements PubSub {
  private readonly listeners = new Map<string, Set<Listener | LiveEvents>>();
  private readonly relistened = new Set<() => void>();
  private unlisten: (() => Promise<void>) | undefined;
  private outbox: OutboxReader | undefined;
  /** Events handed to subscriptions and not yet done with (see LiveEvents). */
  private inFlight = 0;

  private nats: NatsTransport | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly pollMs = 1000,
    /** Events a subscription may hold undelivered before it ends with SubscriberOverflow. */
    readonly queueMax = 10_000,
    /** A second transport: NATS JetStream carries outbox events between replicas instead of each reading the outbox. */
    private readonly transport: { url: string; stream: string; retentionS: number } | null = null,
  ) {}

  async start(database: Database): Promise<void> {
    if (this.transport) {
      const { url, stream, retentionS } = this.transport;
      this.nats = new NatsTransport(url, stream, retentionS, this.logger);
      await this.nats.start(
        (payload) => this.dispatch(payload as BusEvent),
        () => database.ping(1000),
      );
    }
    const nats = this.nats;
    // The outbox's events go to this replica's subscribers, or (with NATS) to the stream, which
    // hands them to every replica's.
    const outbox = new OutboxReader(
      database.db,
      nats ? (events) => nats.relay(events) : (events) => events.forEach((e) => this.dispatch(e.payload as BusEvent)),
      this.logger,
      this.pollMs,
    );
    await outbox.start();
    this.outbox = outbox;
    this.unlisten = await database.listen(
      BUS_CHANNEL,
      (payload) => {
        // An empty payload wakes the outbox reader; any other is an ephemeral event itself.
        if (payload === '') return outbox.wake();
        try {
          this.dispatch(JSON.parse(payload) as BusEvent);
        } catch (error) {
          this.logger.warn({ err: error }, 'unreadable event');
        }
      },
      () => {
        // (Re-)established: what was committed while LISTEN was down is read from the outbox.
        outbox.wake();
        for (const listener of this.relistened) listener();
      },
      (reason) => this.logger.warn({ reason }, 'event bus: LISTEN was lost; reconnecting'),
    );
  }

  /** Resolves once every event committed before the call has been dispatched here (with NATS: relayed to the stream). */
  caughtUp(): Promise<void> {
    return this.outbox?.caughtUp() ?? Promise.resolve();
  }

  /** Called whenever LISTEN is (re)established (ephemeral events sent while it was down are lost). */
  onRelisten(listener: () => void): () => void {
    this.relistened.add(listener);
    return () => this.relistened.delete(listener);
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.unlisten = undefined;
    await this.outbox?.stop();
    await this.nats?.stop();
  }

  dispatch(event: BusEvent): void {
    for (const listener of this.listeners.get(eventKey(event)) ?? []) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.push(event);
      } catch (error) {
        this.logger.error({ err: error, topic: event.topic }, 'event listener failed');
      }
    }
  }

  /** How many subscribers wait on a key (tests wait on it: a subscription is live once counted). */
  listenerCount(key: string): number {
    return this.listeners.get(key)?.size ?? 0;
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
  iterate(key: string): AsyncIterableIterator<BusEvent> {
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
      if (typeof listener === 'function') listener(args[0] as BusEvent);
      else listener.push(args[0] as BusEvent);
    }
  }

  subscribe(routingKey: string): AsyncIterable<unknown> {
    return this.iterate(routingKey);
  }
}

/** A subscription's consumer fell more than `queueMax` events behind: it ends rather than grow without bound. */
export class SubscriberOverflow extends Error {
  constructor(max: number) {
    super(`More than ${max} events waited for this subscription; subscribe again`);
  }
}

/**
 * A subscriber's queue of events. A class registered as itself rather than through closures: with
 * thousands of idle subscriptions, per-instance closures are a large part of a connection's memory.
 * An event counts as in flight from its arrival until the consumer asks for the next one, which it
 * does only once it has delivered this one.
 */
class LiveEvents implements AsyncIterableIterator<BusEvent> {
  private queue: BusEvent[] | null = null;
  private overflowed = false;
  private wake: ((r: IteratorResult<BusEvent>) => void) | undefined;
  private done = false;
  /** The consumer holds an event it has not finished with. */
  private busy = false;

  constructor(
    private readonly bus: EventBus,
    private readonly key: string,
  ) {
    bus.add(key, this);
  }

  push(event: BusEvent): void {
    this.bus.track(1);
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      this.busy = true;
      wake({ value: event, done: false });
    } else if ((this.queue?.length ?? 0) < this.bus.queueMax) (this.queue ??= []).push(event);
    else {
      this.bus.track(-1);
      this.overflowed = true;
    }
  }

  next(): Promise<IteratorResult<BusEvent>> {
    this.finish();
    const queued = this.queue?.shift();
    if (queued) {
      this.busy = true;
      return Promise.resolve({ value: queued, done: false });
    }
    if (this.overflowed && !this.done)
      return this.return().then(() => Promise.reject(new SubscriberOverflow(this.bus.queueMax)));
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.wake = resolve));
  }

  return(): Promise<IteratorResult<BusEvent>> {
    this.finish();
    if (!this.done) {
      this.done = true;
      this.bus.remove(this.key, this);
      this.bus.track(-(this.queue?.length ?? 0));
      this.queue = null;
    }
    this.wake?.({ value: undefined, done: true });
    this.wake = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(error: unknown): Promise<IteratorResult<BusEvent>> {
    await this.return();
    throw error;
  }

  private finish(): void {
    if (this.busy) {
      this.busy = false;
      this.bus.track(-1);
    }
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
