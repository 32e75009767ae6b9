import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Database, type Db, execRows } from '../../db/client.js';
import type { Job, JobQueue, Kind } from '../../shared/jobs.js';
import type { EmbeddingsProvider } from './embeddings.provider.js';
import { embedJobs } from './semantic-index.js';

/**
 * Embedding work, from the marks that triggers leave in `embed_pending` to pg-boss `embed` jobs.
 * Triggers cannot call pg-boss, so a write marks its item (in its own transaction) and NOTIFYs
 * `orbit_embed`; a replica then moves unscheduled marks into jobs, mark and job in one transaction
 * (an outbox for derived work). Also on LISTEN, at start and every few polls: a wake-up lost in a
 * gap delays an embedding, never loses it.
 */
export const EMBED = 'embed';
const PER_PASS = 500;

type Mark = { type: string; id: string; version: number };
const keyOf = (m: { type: string; id: string }) => `${m.type}:${m.id}`;

/** Moves unscheduled marks into jobs until none is left; the number moved. */
export async function scheduleMarks(db: Db, jobs: JobQueue): Promise<number> {
  let moved = 0;
  for (;;) {
    const marks = await db.transaction(async (tx) => {
      const rows = await execRows<Mark>(
        tx,
        sql`update embed_pending p set scheduled = true from (
              select entity_type, entity_id from embed_pending where not scheduled
              order by marked_at limit ${PER_PASS} for update skip locked) m
            where p.entity_type = m.entity_type and p.entity_id = m.entity_id
            returning p.entity_type::text as type, p.entity_id as id, p.version`,
      );
      // One waiting job per item: a mark changed again while its job waits is embedded by that job.
      await jobs.sendMany(
        tx,
        EMBED,
        rows.map((m) => ({ key: keyOf(m), payload: { type: m.type, id: m.id } })),
      );
      return rows;
    });
    moved += marks.length;
    if (marks.length < PER_PASS) return moved;
  }
}

/**
 * The `embed` kind: a batch embedded at once (semantic-index.ts). Each job first reads its mark's
 * version; done, it removes the mark only if no change came meanwhile, and sends a change that came
 * back to the scheduler. A failed attempt is written on the mark; one given up marks it failed.
 */
export function embedKind(db: Db, provider: EmbeddingsProvider, deadlineS: number): Kind {
  const embed = embedJobs(db, provider);
  // The jobs' marks by primary key, as unnest() arguments: one statement for a whole batch.
  const keys = (jobs: Job[]) =>
    sql`${sql.param(jobs.map((j) => String(j.payload.type)))}::text[], ${sql.param(jobs.map((j) => String(j.payload.id)))}::uuid[]`;
  const of = (jobs: Job[]) =>
    sql`(entity_type, entity_id) in (select t::searchable_type, i from unnest(${keys(jobs)}) as u(t, i))`;
  return {
    deadlineS,
    run: {
      size: 32,
      batch: async (jobs, signal) => {
        const versions = new Map(
          (
            await execRows<Mark>(
              db,
              sql`select entity_type::text as type, entity_id as id, version from embed_pending where ${of(jobs)}`,
            )
          ).map((m) => [keyOf(m), m.version]),
        );
        // A provider failure fails the whole batch: each job is retried with backoff.
        const outcomes = await embed(jobs, signal).catch((error: Error) => jobs.map(() => error));
        const done = jobs.filter((_, i) => !outcomes[i]);
        if (done.length)
          await db.execute(sql`with gone as (
              delete from embed_pending where (entity_type, entity_id, version) in (
                select t::searchable_type, i, v
                  from unnest(${keys(done)}, ${sql.param(done.map((j) => versions.get(j.key) ?? 0))}::int[]) as u(t, i, v))
              returning entity_type, entity_id)
            update embed_pending p set scheduled = false where ${of(done)}
              and not exists (select 1 from gone g where g.entity_type = p.entity_type and g.entity_id = p.entity_id)`);
        const failed = jobs.flatMap((job, i) => {
          const error = outcomes[i];
          return error ? [{ job, message: error.message.slice(0, 1000) }] : [];
        });
        if (failed.length)
          await db.execute(sql`update embed_pending p set attempts = u.a, last_error = u.m
            from unnest(${keys(failed.map((f) => f.job))},
                        ${sql.param(failed.map((f) => f.job.attempts))}::int[],
                        ${sql.param(failed.map((f) => f.message))}::text[]) as u(t, i, a, m)
            where p.entity_type = u.t::searchable_type and p.entity_id = u.i`);
        return outcomes;
      },
    },
    onDead: async (job) => {
      await db.execute(sql`update embed_pending set failed = true where ${of([job])}`);
    },
  };
}

/** Wakes the scheduler on each `orbit_embed` NOTIFY (and LISTEN), and every `everyMs`; stop() ends it. */
export async function startEmbedScheduler(
  database: Database,
  jobs: JobQueue,
  everyMs: number,
  logger: Logger,
): Promise<() => Promise<void>> {
  let running: Promise<void> | undefined;
  let again = false;
  /** Read through a call: a wake-up may set it during the await, which narrowing would hide. */
  const wokenMeanwhile = () => again;
  const wake = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await scheduleMarks(database.db, jobs).catch((err: unknown) =>
          logger.warn({ err }, 'scheduling embeddings failed'),
        );
      } while (wokenMeanwhile());
    })().finally(() => (running = undefined));
  };
  const unlisten = await database.listen('orbit_embed', wake, wake);
  const timer = setInterval(wake, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await unlisten();
    await running;
  };
}
