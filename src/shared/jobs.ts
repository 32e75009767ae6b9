import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, type Queryable, execRows } from '../db/client.js';

/**
 * Background jobs in PostgreSQL (the `jobs` table): enqueued in the writer's transaction, claimed
 * with FOR UPDATE SKIP LOCKED (so replicas share the work), retried with exponential backoff,
 * deduplicated per (kind, key), and kept across restarts. A small batch at a time and no
 * transaction held while a handler runs, so PGlite's one connection keeps serving requests.
 *
 * A claim is a lease held by one worker (`locked_by`): the worker renews the leases of every job it
 * holds (a heartbeat, each third of the lease), checks it still holds a job before starting it, and
 * settles only jobs it holds (fencing), so a job waiting in a batch behind slow ones is never run by
 * a second replica, and a worker that lost a lease (paused, partitioned) cannot undo the new
 * holder's work. Attempts are counted at claim: a job whose worker died during its last attempt is
 * not claimed again but becomes a dead letter (status `failed`), so a job that kills its worker
 * cannot take down replica after replica.
 */
export interface Job {
  id: number;
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  attempts: number;
  version: number;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;
/** Handles a claimed batch of one kind at once (e.g. one provider call for many items): an error or null per job. */
export type BatchHandler = (jobs: Job[], signal: AbortSignal) => Promise<Array<Error | null>>;

/**
 * Queues a job (or wakes the one waiting for the same key) in `q`'s transaction. `group` says whose
 * work it is (a user id): claims take one job per group at a time.
 */
export async function enqueue(
  q: Queryable,
  kind: string,
  key: string,
  payload: Record<string, unknown>,
  group: string | null = null,
): Promise<void> {
  await q.execute(sql`insert into jobs (kind, key, payload, group_key) values (${kind}, ${key}, ${JSON.stringify(payload)}::jsonb, ${group})
    on conflict (kind, key) do update set status = 'queued', run_at = now(), attempts = 0, version = jobs.version + 1, last_error = null`);
}

export interface WorkerOptions {
  pollMs: number;
  maxAttempts: number;
  batch?: number;
  /** How long a claimed job is kept from other workers without a heartbeat. */
  leaseSeconds?: number;
  /** Told of each job that became a dead letter because its worker never finished its last attempt. */
  onDead?: (job: Job) => Promise<void>;
  /**
   * Per kind, the longest a job may run: its signal aborts then and the worker moves on (the job
   * failed, and is retried with backoff), so one slow peer cannot hold the worker.
   */
  deadlines?: Record<string, number>;
}

export class JobWorker {
  /** This worker's name in `locked_by`. */
  readonly id = randomUUID();
  /** Jobs claimed and not yet settled: their leases are renewed by the heartbeat. */
  private readonly held = new Set<number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** Read through a call: a stop may come during any await, which narrowing on the field would hide. */
  private stopped(): boolean {
    return this.stopping.signal.aborted;
  }
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler | { batch: BatchHandler }>,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
  ) {}

  private get lease(): number {
    return this.options.leaseSeconds ?? 60;
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.renew(), (this.lease * 1000) / 3);
    this.heartbeat.unref();
    const tick = async () => {
      if (this.stopping.signal.aborted) return;
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (err) {
        this.logger.warn({ err }, 'job worker: claiming jobs failed');
      }
      if (!worked) for (const done of this.idle) done();
      if (!this.stopped())
        this.timer = setTimeout(() => void (this.running = tick()), worked ? 0 : this.options.pollMs);
    };
    this.running = tick();
  }

  /** Renews the leases of the jobs this worker holds. */
  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    await this.db
      .execute(
        sql`update jobs set locked_until = now() + make_interval(secs => ${this.lease})
            where locked_by = ${this.id} and id = any(${sql.param([...this.held])}::bigint[])`,
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'job worker: renewing leases failed'));
  }

  /** Claims a batch and runs it; false when there was nothing due. */
  async runOnce(): Promise<boolean> {
    const handled = Object.keys(this.handlers);
    const due = sql`status = 'queued' and run_at <= now() and (locked_until is null or locked_until < now())
                    and kind = any(${sql.param(handled)}::text[])`;
    const [row] = await execRows<{ claimed: unknown; dead: unknown }>(
      this.db,
      // Out of attempts and not held: its worker died during the last one. A dead letter, not a claim.
      // Fair: among the oldest due jobs, one per group (user) per claim, so one user's many jobs
      // cannot hold everyone else's back; jobs without a group are each their own.
      sql`with dead as (
            update jobs set status = 'failed', locked_until = null, locked_by = null,
              last_error = ${`its worker stopped during each of its last attempts (${this.options.maxAttempts} in all)`}
            where ${due} and attempts >= ${this.options.maxAttempts}
            returning id, kind, key, payload, attempts, version),
          claimed as (
            update jobs set locked_until = now() + make_interval(secs => ${this.lease}), locked_by = ${this.id},
              attempts = attempts + 1
            where id in (
              select id from jobs where id in (
                select distinct on (coalesce(c.group_key, c.id::text)) c.id
                  from (select id, group_key, run_at from jobs where ${due} and attempts < ${this.options.maxAttempts}
                         order by run_at, id limit 500) c
                 order by coalesce(c.group_key, c.id::text), c.run_at, c.id)
              order by run_at, id limit ${this.options.batch ?? 16} for update skip locked)
            returning id, kind, key, payload, attempts, version)
          select (select json_agg(claimed order by id) from claimed) as claimed,
                 (select json_agg(dead) from dead) as dead`,
    );
    const claimed = parse(row?.claimed);
    const dead = parse(row?.dead);
    for (const job of dead) {
      this.logger.warn(
        { kind: job.kind, key: job.key, attempts: job.attempts },
        'job failed for good: its worker kept stopping',
      );
      await this.options.onDead?.(job).catch((err: unknown) => this.logger.warn({ err }, 'job worker: onDead failed'));
    }
    for (const job of claimed) this.held.add(job.id);
    try {
      const byKind = new Map<string, Job[]>();
      for (const job of claimed) byKind.set(job.kind, [...(byKind.get(job.kind) ?? []), job]);
      for (const [kind, group] of byKind) {
        const handler = this.handlers[kind];
        if (typeof handler !== 'function') {
          const outcomes = await handler!
            .batch(group, this.stopping.signal)
            .catch((error: Error) => group.map(() => error));
          for (const [i, job] of group.entries()) await this.settle(job, outcomes[i] ?? null);
          continue;
        }
        for (const job of group) {
          if (this.stopping.signal.aborted) break;
          // Waiting behind slower jobs, it may have lost its lease (a paused process): then it is another's.
          if (!(await this.stillHeld(job))) continue;
          await this.settle(job, await this.runWithin(kind, job, handler));
        }
      }
    } finally {
      // Left unsettled by a stop: released to run again at once (not counted as an attempt).
      const left = [...this.held];
      this.held.clear();
      if (left.length > 0)
        await this.db.execute(
          sql`update jobs set locked_until = null, locked_by = null, attempts = greatest(attempts - 1, 0)
              where locked_by = ${this.id} and id = any(${sql.param(left)}::bigint[])`,
        );
    }
    return claimed.length > 0 || dead.length > 0;
  }

  /** Renews the job's lease if this worker still holds it. */
  private async stillHeld(job: Job): Promise<boolean> {
    const rows = await execRows(
      this.db,
      sql`update jobs set locked_until = now() + make_interval(secs => ${this.lease})
          where id = ${job.id} and locked_by = ${this.id} returning id`,
    );
    if (rows.length === 0) {
      this.held.delete(job.id);
      this.logger.warn(
        { kind: job.kind, key: job.key },
        'job worker: lost the lease before starting; another worker has it',
      );
    }
    return rows.length > 0;
  }

  /** Runs one job within its kind's deadline: the error it ended with, or null. */
  private runWithin(kind: string, job: Job, handler: JobHandler): Promise<Error | null> {
    const limit = this.options.deadlines?.[kind];
    if (!limit)
      return handler(job, this.stopping.signal).then(
        () => null,
        (error: Error) => error,
      );
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(limit)]);
    return new Promise<Error | null>((resolve) => {
      // A shutdown is not a deadline: then the handler winds down by itself (e.g. a sync keeps its cursor).
      const late = () => {
        if (!this.stopping.signal.aborted) resolve(new Error(`the ${kind} job passed its ${limit} ms deadline`));
      };
      signal.addEventListener('abort', late, { once: true });
      handler(job, signal)
        .then(
          () => resolve(null),
          (error: unknown) => resolve(error instanceof Error ? error : new Error(String(error))),
        )
        .finally(() => signal.removeEventListener('abort', late));
    });
  }

  /** Done: the row goes, unless it was enqueued again meanwhile. Failed: retried with backoff (2, 4, 8 … s), or failed for good. */
  private async settle(job: Job, error: Error | null): Promise<void> {
    this.held.delete(job.id);
    const mine = sql`id = ${job.id} and locked_by = ${this.id}`;
    if (!error) {
      // One statement: the row goes, or (enqueued again meanwhile) is released to run again. Only
      // while this worker holds it: a lease lost meanwhile is the new holder's to settle.
      await this.db.execute(
        sql`with done as (delete from jobs where ${mine} and version = ${job.version} returning id)
            update jobs set locked_until = null, locked_by = null where ${mine} and not exists (select 1 from done)`,
      );
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const final = job.attempts >= this.options.maxAttempts;
    await this.db.execute(
      sql`update jobs set locked_until = null, locked_by = null, last_error = ${message.slice(0, 1000)},
            status = ${final ? 'failed' : 'queued'}, run_at = now() + make_interval(secs => ${2 ** job.attempts})
          where ${mine} and version = ${job.version}`,
    );
    // Enqueued again meanwhile (another version): it is released to run again as queued.
    await this.db.execute(
      sql`update jobs set locked_until = null, locked_by = null where ${mine} and version <> ${job.version}`,
    );
    (final ? this.logger.warn : this.logger.debug).call(
      this.logger,
      { kind: job.kind, key: job.key, attempts: job.attempts, err: message },
      final ? 'job failed for good' : 'job failed, will retry',
    );
  }

  /** Resolves once the worker finds nothing due (tests and benchmarks wait on it). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    await this.running?.catch(() => {});
  }
}

/** json_agg's rows (already parsed by the driver, or text), or none. */
function parse(value: unknown): Job[] {
  if (value === null || value === undefined) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as Job[];
}
