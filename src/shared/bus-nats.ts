import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { OutboxEvent } from './bus-outbox.js';

/** The header that carries an event's outbox position: how a relay knows what is already in the stream. */
const CURSOR = 'Orbit-Outbox';

/** Orders outbox positions: transaction id, then row id (txids are 64-bit: compared as bigints). */
function compare(a: { txid: string; id: number }, b: { txid: string; id: number }): number {
  const ta = BigInt(a.txid);
  const tb = BigInt(b.txid);
  return ta === tb ? a.id - b.id : ta < tb ? -1 : 1;
}

/**
 * NATS JetStream as the transport between replicas (`EVENT_BUS_URL=nats://…`), for deployments
 * that scale out past what one PostgreSQL's LISTEN fan-out should carry. The outbox stays the
 * source of truth: every replica relays what it reads from it, in commit order, to one stream,
 * each event once: the outbox position is the message id (JetStream drops a duplicate within its
 * window) and, beyond the window, a relay skips what the stream's last message shows was already
 * published. Each replica reads the stream with an ordered consumer from where it started; after a
 * disconnection the consumer resumes from the last stream sequence it saw, so nothing in the gap is
 * lost or repeated. Ephemeral events (streamed deltas) still go by NOTIFY.
 */
export class NatsTransport {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private messages: ConsumerMessages | undefined;
  private consuming: Promise<void> | undefined;
  private stopping = false;
  /** Read through a call: a stop may come during any await, which narrowing on the field would hide. */
  private isStopped(): boolean {
    return this.stopping;
  }
  /** The stream sequence of the last event read. */
  private lastSeq = 0;
  /** Events read from the stream and not yet handed on (they wait while the database does not answer). */
  private readonly waiting: unknown[] = [];
  private wakeHandOn: (() => void) | undefined;
  private readonly subject: string;

  constructor(
    private readonly url: string,
    private readonly stream: string,
    private readonly retentionS: number,
    private readonly logger: Logger,
  ) {
    this.subject = `${stream}.events`;
  }

  /**
   * Connects, makes sure the stream exists, and starts handing events published from now on to
   * `deliver`. Each event waits until `ready()` says the database answers: a replica cut off from
   * PostgreSQL would fail to resolve what its subscribers asked for, so it holds the stream's events
   * (the consumer keeps its place) until it can, as the outbox reader would.
   */
  async start(deliver: (payload: unknown) => void, ready: () => Promise<boolean>): Promise<void> {
    const nc = await connect({ servers: this.url, name: 'orbit', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    this.nc = nc;
    void (async () => {
      for await (const s of nc.status())
        if (s.type === 'disconnect' || s.type === 'reconnect') this.logger.warn({ nats: s.type }, 'event bus: NATS');
    })();
    this.jsm = await jetstreamManager(nc);
    const config = {
      name: this.stream,
      subjects: [this.subject],
      max_age: this.retentionS * 1_000_000_000,
      duplicate_window: 120 * 1_000_000_000,
    };
    try {
      await this.jsm.streams.info(this.stream);
      await this.jsm.streams.update(this.stream, config);
    } catch {
      await this.jsm.streams.add(config);
    }
    this.js = jetstream(nc);
    // From the stream's end now; after that, always from the message after the last one handed on.
    this.lastSeq = (await this.jsm.streams.info(this.stream)).state.last_seq;
    this.consuming = this.consume(deliver, ready);
  }

  /**
   * Reads the stream in order into `waiting`. An ordered consumer resumes by itself after a
   * reconnection; should its iterator still end, a new one starts after the last sequence read, so
   * nothing is lost or repeated. The iterator is never held up (the library may reset a consumer
   * that stops pulling): events wait in `waiting` for the database instead.
   */
  private async consume(deliver: (payload: unknown) => void, ready: () => Promise<boolean>): Promise<void> {
    const handing = this.handOn(deliver, ready);
    while (!this.isStopped()) {
      try {
        const consumer = await this.js!.consumers.get(this.stream, {
          filter_subjects: this.subject,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.lastSeq + 1,
        });
        const messages = await consumer.consume();
        this.messages = messages;
        for await (const m of messages) {
          if (m.seq <= this.lastSeq) continue;
          this.lastSeq = m.seq;
          try {
            this.waiting.push(m.json());
          } catch (error) {
            this.logger.warn({ err: error }, 'event bus: an unreadable event from NATS');
          }
          this.wakeHandOn?.();
        }
      } catch (error) {
        if (!this.isStopped()) this.logger.warn({ err: error }, 'event bus: reading the NATS stream failed; resuming');
      }
      if (!this.isStopped()) await new Promise((r) => setTimeout(r, 500));
    }
    this.wakeHandOn?.();
    await handing;
  }

  /** Hands the waiting events on in order, each once the database answers. */
  private async handOn(deliver: (payload: unknown) => void, ready: () => Promise<boolean>): Promise<void> {
    while (!this.isStopped()) {
      if (this.waiting.length === 0) {
        await new Promise<void>((resolve) => (this.wakeHandOn = resolve));
        continue;
      }
      if (!(await ready())) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      for (const payload of this.waiting.splice(0)) deliver(payload);
    }
  }

  /** The outbox position of the stream's newest message, or null for an empty stream. */
  private async lastPublished(): Promise<{ txid: string; id: number } | null> {
    const last = await this.jsm!.streams.getMessage(this.stream, { last_by_subj: this.subject }).catch(() => null);
    const value = last?.header.get(CURSOR);
    if (!value) return null;
    const [txid, id] = value.split(':');
    return { txid: txid!, id: Number(id) };
  }

  /** Publishes a batch read from the outbox, in order, skipping what the stream already holds. */
  async relay(events: OutboxEvent[]): Promise<void> {
    const last = await this.lastPublished();
    for (const event of events) {
      if (last && compare(event, last) <= 0) continue;
      const position = `${event.txid}:${event.id}`;
      const h = natsHeaders();
      h.set(CURSOR, position);
      await this.js!.publish(this.subject, JSON.stringify(event.payload), { msgID: position, headers: h });
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeHandOn?.();
    await this.messages?.close().catch(() => {});
    await this.consuming?.catch(() => {});
    await this.nc?.drain().catch(() => {});
  }
}
