import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, type Queryable, execRows } from '../db/client.js';

/**
 * Background jobs in PostgreSQL (the `jobs` table): enqueued in the writer's transaction, claimed
 * with FOR UPDATE SKIP LOCKED (so replicas share the work), retried with exponential backoff,
 * deduplicated per (kind, key), and kept across restarts. A small batch at a time and no
 * transaction held while a handler runs, so PGlite's one connection keeps serving requests.
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
  /** How long a claimed job is kept from other workers. */
  leaseSeconds?: number;
  /**
   * Per kind, the longest a job may run: its signal aborts then and the worker moves on (the job
   * failed, and is retried with backoff), so one slow peer cannot hold the worker.
   */
  deadlines?: Record<string, number>;
}

export class JobWorker {
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

  start(): void {
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

  /** Claims a batch and runs it; false when there was nothing due. */
  async runOnce(): Promise<boolean> {
    const handled = Object.keys(this.handlers);
    const claimed = await execRows<Job>(
      this.db,
      // Fair: among the oldest due jobs, one per group (user) per claim, so one user's many jobs
      // cannot hold everyone else's back; jobs without a group are each their own.
      sql`update jobs set locked_until = now() + make_interval(secs => ${this.options.leaseSeconds ?? 120}), attempts = attempts + 1
          where id in (
            select id from jobs where id in (
              select distinct on (coalesce(c.group_key, c.id::text)) c.id
                from (select id, group_key, run_at from jobs
                       where status = 'queued' and run_at <= now() and (locked_until is null or locked_until < now())
                         and kind = any(${sql.param(handled)}::text[])
                       order by run_at, id limit 500) c
               order by coalesce(c.group_key, c.id::text), c.run_at, c.id)
            order by run_at, id limit ${this.options.batch ?? 16} for update skip locked)
          returning id, kind, key, payload, attempts, version`,
    );
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
        await this.settle(job, await this.runWithin(kind, job, handler));
      }
    }
    return claimed.length > 0;
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
    if (!error) {
      // One statement: the row goes, or (enqueued again meanwhile) is released to run again.
      await this.db.execute(
        sql`with done as (delete from jobs where id = ${job.id} and version = ${job.version} returning id)
            update jobs set locked_until = null where id = ${job.id} and not exists (select 1 from done)`,
      );
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const final = job.attempts >= this.options.maxAttempts;
    await this.db.execute(
      sql`update jobs set locked_until = null, last_error = ${message.slice(0, 1000)},
            status = ${final ? 'failed' : 'queued'}, run_at = now() + make_interval(secs => ${2 ** job.attempts})
          where id = ${job.id} and version = ${job.version}`,
    );
    // Enqueued again meanwhile (another version): it is released to run again as queued.
    await this.db.execute(sql`update jobs set locked_until = null where id = ${job.id} and version <> ${job.version}`);
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
    await this.running?.catch(() => {});
  }
}
