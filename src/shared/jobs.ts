import { type SQL, sql } from 'drizzle-orm';
import {
  type ConstructorOptions,
  type Db as IDatabase,
  type DrizzleTransactionLike,
  type JobResult,
  type Job as BossJob,
  PgBoss,
  fromDrizzle,
  fromPglite,
} from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/client.js';

/**
 * Background jobs on pg-boss, in PostgreSQL beside the data (schema `pgboss`). A job is sent in the
 * writer's own transaction (pg-boss's drizzle adapter over that transaction), so it exists if and
 * only if the write committed. pg-boss gives what a job needs under faults: each fetched job is held
 * by its attempt, kept alive by a heartbeat (`JOBS_LEASE_S`), failed and retried when the heartbeat
 * stops (a killed or paused worker) or its deadline passes, settled only by the attempt that holds
 * it (fencing), and moved to a dead-letter queue after its last attempt, so a job that kills its
 * worker cannot take down replica after replica. Per item, one job waits and one runs at a time
 * (policy `stately` with the item as singleton key); on a replica, a job is not fetched while
 * another of its user's runs there (local group concurrency 1: pg-boss's global group limit is
 * checked at fetch without a lock, and two fetches at once both passed it), so one user's many
 * jobs cannot hold everyone else's back.
 */
export interface Job {
  id: string;
  kind: string;
  /** The item it is for: at most one waiting and one running job per key. */
  key: string;
  payload: Record<string, unknown>;
  /** This attempt's number, from 1. */
  attempts: number;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;
/** Handles a fetched batch of one kind at once (e.g. one provider call for many items): an error or null per job. */
export type BatchHandler = (jobs: Job[], signal: AbortSignal) => Promise<Array<Error | null>>;

export interface Kind {
  run: JobHandler | { batch: BatchHandler; size: number };
  /** The longest one attempt may run: pg-boss fails it then (to be retried) and aborts its signal. */
  deadlineS: number;
  /** Attempts running at once in this process. */
  concurrency?: number;
  /** Told of each job given up after its last attempt (its dead letter). */
  onDead?: (job: Job) => Promise<void>;
}

export interface QueueOptions {
  pollMs: number;
  maxAttempts: number;
  /** A running job's heartbeat: a job not heard from for this long is failed and retried (at least 10 s). */
  leaseSeconds: number;
}

/** What pg-boss keeps of a job: the item's key, the user it belongs to and what the handler reads. */
interface Envelope {
  key: string;
  group: string | null;
  payload: Record<string, unknown>;
}

const SCHEMA = 'pgboss';

/**
 * True while a job of the group (a user) is running on some replica: its attempt is active and its
 * heartbeat, kept by a live worker, has not lapsed. With `unsettled` below, the only places Orbit
 * reads pg-boss's table (`job`: its state, group and name columns).
 */
export const groupHasRunningJob = (group: SQL) =>
  sql`exists (select 1 from ${sql.raw(SCHEMA)}.job j where j.group_id = ${group} and j.state = 'active')`;
const deadQueue = (kind: string) => `${kind}__dead`;

/** pg-boss's statements through a drizzle handle (a transaction: they commit with it). */
const through = (q: Queryable): IDatabase => fromDrizzle(q as unknown as DrizzleTransactionLike, sql);

/**
 * Where pg-boss keeps its connections. On a server, a small pool of its own (node-postgres, its
 * default): its maintenance runs scripts in BEGIN…COMMIT, which a shared pool cannot host, and its
 * LISTEN wakes workers at once for a job sent by any replica. Embedded, the one PGlite connection,
 * with LISTEN in-process. A job sent in a transaction goes through that transaction either way.
 */
export function bossConnection(database: Database): ConstructorOptions {
  if (database.pglite) {
    const base = fromPglite(database.pglite);
    const db: IDatabase = {
      executeSql: (text, values) => base.executeSql(text, values),
      listen: async (channel, onNotification, onReconnect) => ({
        close: await database.listen(channel, onNotification, onReconnect),
      }),
    };
    return { db, backend: 'pglite' };
  }
  return { connectionString: database.url, max: 3, connectionTimeoutMillis: 5000, application_name: 'orbit/jobs' };
}

/** Creates or brings up to date pg-boss's schema (part of the migrations). */
export async function installJobs(database: Database): Promise<void> {
  const boss = new PgBoss({
    ...bossConnection(database),
    schema: SCHEMA,
    supervise: false,
    schedule: false,
    registerInstance: false,
  });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: !database.pglite });
}

export class JobQueue {
  readonly boss: PgBoss;
  private kinds: Record<string, Kind> = {};
  /** Whether stop() closes pg-boss's pool (its own on a server; the embedded connection is Orbit's). */
  private readonly closes: boolean;
  /** Aborted when the server stops: handlers wind down at once (a sync keeps its cursor) rather than at the grace's end. */
  private readonly stopping = new AbortController();

  constructor(
    database: Database,
    private readonly options: QueueOptions,
    private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      ...bossConnection(database),
      schema: SCHEMA,
      migrate: false,
      useListenNotify: true,
      // How soon a lapsed heartbeat is noticed: pg-boss checks it in its monitor pass.
      superviseIntervalSeconds: Math.max(1, Math.min(60, Math.floor(this.lease / 4))),
      monitorIntervalSeconds: Math.max(1, Math.min(60, Math.floor(this.lease / 4))),
    });
    this.closes = !database.pglite;
    this.boss.on('error', (err: unknown) => this.logger.warn({ err }, 'job queue: an error'));
  }

  private get lease(): number {
    return Math.max(10, this.options.leaseSeconds);
  }

  /** Starts pg-boss (maintenance, schedules) and creates or updates the kinds' queues; jobs can be sent then. */
  async prepare(kinds: Record<string, Kind>): Promise<void> {
    this.kinds = kinds;
    await this.boss.start();
    for (const [kind, def] of Object.entries(kinds)) {
      await this.ensureQueue(deadQueue(kind), { retryLimit: 0 });
      await this.ensureQueue(kind, {
        policy: 'stately',
        notify: true,
        retryLimit: this.options.maxAttempts - 1,
        retryDelay: 2,
        retryBackoff: true,
        retryDelayMax: 600,
        heartbeatSeconds: this.lease,
        expireInSeconds: def.deadlineS,
        deadLetter: deadQueue(kind),
      });
    }
  }

  private async ensureQueue(name: string, options: Parameters<PgBoss['createQueue']>[1] & object): Promise<void> {
    if (await this.boss.getQueue(name)) {
      const { policy: _fixed, ...rest } = options;
      await this.boss.updateQueue(name, rest);
    } else await this.boss.createQueue(name, options);
  }

  /** Runs the kinds' jobs (each handler as they come), and their dead letters' onDead. */
  async start(): Promise<void> {
    // A NOTIFY wakes workers for a job due now; a retry's backoff or a delayed job is found by polling.
    const seconds = Math.max(0.5, this.options.pollMs / 1000);
    const polling = { pollingIntervalSeconds: seconds, notifyPollingIntervalSeconds: seconds };
    for (const [kind, def] of Object.entries(this.kinds)) {
      const run = def.run;
      if (typeof run === 'function') {
        await this.boss.work<Envelope>(
          kind,
          { ...polling, batchSize: 1, localConcurrency: def.concurrency ?? 1, localGroupConcurrency: 1 },
          async ([job]) => run(this.jobOf(kind, job!), AbortSignal.any([job!.signal, this.stopping.signal])),
        );
      } else {
        await this.boss.work<Envelope>(
          kind,
          { ...polling, batchSize: run.size, perJobResults: true },
          async (jobs): Promise<JobResult[]> => {
            const outcomes = await run
              .batch(
                jobs.map((job) => this.jobOf(kind, job)),
                AbortSignal.any([this.stopping.signal, ...jobs.map((job) => job.signal)]),
              )
              .catch((error: Error) => jobs.map(() => error));
            return jobs.map((job, i) => {
              const error = outcomes[i];
              return error
                ? { id: job.id, status: 'failed', output: { message: error.message } }
                : { id: job.id, status: 'completed' };
            });
          },
        );
      }
      const onDead = def.onDead;
      await this.boss.work<Envelope>(deadQueue(kind), polling, async ([job]) => {
        const dead = this.jobOf(kind, job!);
        this.logger.warn({ kind, key: dead.key }, 'job failed for good: out of attempts');
        await onDead?.(dead);
      });
    }
  }

  private jobOf(kind: string, job: BossJob<Envelope>): Job {
    return { id: job.id, kind, key: job.data.key, payload: job.data.payload, attempts: job.retryCount + 1 };
  }

  /**
   * Queues a job in `q`'s transaction, unless one for the same key is already waiting. `group` says
   * whose work it is (a user id): a replica runs one job of a kind per user at a time.
   */
  async send(
    q: Queryable,
    kind: string,
    key: string,
    payload: Record<string, unknown>,
    group: string | null = null,
  ): Promise<void> {
    await this.sendMany(q, kind, [{ key, payload, group }]);
  }

  /** Queues many jobs of one kind in one statement (those whose key already waits are left out). */
  async sendMany(
    q: Queryable,
    kind: string,
    items: Array<{ key: string; payload: Record<string, unknown>; group?: string | null }>,
  ): Promise<void> {
    if (items.length === 0) return;
    await this.boss.insert(
      kind,
      items.map(({ key, payload, group = null }) => ({
        data: { key, group, payload } satisfies Envelope,
        singletonKey: key,
        ...(group ? { group: { id: group } } : {}),
      })),
      { db: through(q) },
    );
  }

  /** Resolves once no job of the given kinds waits or runs (tests and benchmarks wait on it). */
  async drained(kinds = Object.keys(this.kinds), timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.unsettled(kinds)) === 0) return;
      if (Date.now() > until) throw new Error(`jobs still waiting after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Jobs of these kinds waiting, retrying or running (pg-boss's queue counts are refreshed only now and then). */
  async unsettled(kinds: string[]): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`select count(*)::int as n from ${SCHEMA}.job where name = any($1::text[]) and state < 'completed'`, [
        kinds,
      ]);
    return Number((rows[0] as { n: number } | undefined)?.n ?? 0);
  }

  /**
   * Stops fetching and aborts the running handlers' signals; they have `graceMs` to return (a job
   * they leave unfinished is failed, to be retried).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping.abort();
    await this.boss.stop({ graceful: true, close: this.closes, timeout: graceMs });
  }
}
