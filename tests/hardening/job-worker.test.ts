import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type Database, execRows } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { type Job, JobQueue, type Kind } from '../../src/shared/jobs.js';
import { freshDatabase } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';

/**
 * The job queue (pg-boss) as Orbit uses it: jobs sent in a transaction exist only if it commits; a
 * job past its deadline is failed and retried while the next one runs; on a replica one user's jobs
 * run one at a time and do not hold another's back; two workers (two replicas) run each job once; a job out of
 * attempts is a dead letter and its kind is told. A worker killed mid-job: tests/faults/send-once.
 */
let database: Database;
let drop: () => Promise<void>;
const silent = pino({ level: 'silent' });
const OPTIONS = { pollMs: 500, maxAttempts: 3, leaseSeconds: 10 };
const queues: JobQueue[] = [];

beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  const config = {
    DATABASE_URL: db.env.DATABASE_URL,
    pgliteDir: db.env.DATA_DIR,
    DB_POOL_MAX: 6,
    DB_STATEMENT_TIMEOUT_MS: 10_000,
  };
  database = await createDb(config);
  await runMigrations(database, config);
});
afterAll(async () => {
  for (const q of queues) await q.stop(1000);
  await database.close();
  await drop();
});

async function queueOf(kinds: Record<string, Kind>, options = OPTIONS): Promise<JobQueue> {
  const q = new JobQueue(database, options, silent);
  queues.push(q);
  await q.prepare(kinds);
  await q.start();
  return q;
}

const states = (kind: string) =>
  execRows<{ key: string; state: string; retry_count: number; output: { message?: string } | null }>(
    database.db,
    sql`select data->>'key' as key, state::text, retry_count, output from pgboss.job where name = ${kind} order by data->>'key', created_on`,
  );

it('a job exists only if the transaction that sent it commits', async () => {
  const ran: string[] = [];
  const q = await queueOf({ tx: { deadlineS: 30, run: async (job) => void ran.push(job.key) } });
  await database.db
    .transaction(async (tx) => {
      await q.send(tx, 'tx', 'rolled-back', {});
      throw new Error('rollback');
    })
    .catch(() => {});
  await database.db.transaction(async (tx) => q.send(tx, 'tx', 'committed', { n: 1 }));
  await q.drained(['tx']);
  expect(ran).toEqual(['committed']);
  expect((await states('tx')).map((r) => [r.key, r.state])).toEqual([['committed', 'completed']]);
});

it('a job past its deadline is failed, its signal aborted, and retried; the next one runs meanwhile', async () => {
  const done: string[] = [];
  let aborted = 0;
  const q = await queueOf({
    slow: {
      deadlineS: 1,
      concurrency: 2,
      run: async (job, signal) => {
        if (job.key === 'hangs' && job.attempts === 1) {
          // A peer that never answers: the handler ends when its signal says the deadline passed.
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          aborted += 1;
          throw new Error('aborted');
        }
        done.push(`${job.key}#${job.attempts}`);
      },
    },
  });
  await q.send(database.db, 'slow', 'hangs', {});
  await q.send(database.db, 'slow', 'quick', {});
  await waitFor(async () => done.includes('quick#1'), 'the quick job', 5_000);
  expect(done).toEqual(['quick#1']);
  await waitFor(async () => done.includes('hangs#2'), 'the retry of the job that hung', 20_000);
  expect(aborted).toBe(1);
});

it("on a replica one user's jobs run one at a time and do not hold another user's back", async () => {
  const order: string[] = [];
  const running = new Map<string, number>();
  let overlap = false;
  const q = await queueOf({
    fair: {
      deadlineS: 30,
      concurrency: 2,
      run: async (job) => {
        const user = String(job.payload.user);
        running.set(user, (running.get(user) ?? 0) + 1);
        if (running.get(user)! > 1) overlap = true;
        order.push(job.key);
        await new Promise((r) => setTimeout(r, 150));
        running.set(user, running.get(user)! - 1);
      },
    },
  });
  await q.sendMany(
    database.db,
    'fair',
    [1, 2, 3, 4, 5].map((i) => ({ key: `a${i}`, payload: { user: 'a' }, group: 'user-a' })),
  );
  await q.send(database.db, 'fair', 'b1', { user: 'b' }, 'user-b');
  await q.drained(['fair']);
  expect([...order].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
  expect(overlap).toBe(false);
  // Oldest first, b1 would run last (index 5): it runs beside a's jobs instead. Usually second; on a
  // loaded machine the worker has been seen to take up to three of a's, one at a time, first (CI).
  expect(order.indexOf('b1')).toBeLessThan(5);
});

it('12 slow jobs on two workers (two replicas) each run once', async () => {
  const runs = new Map<string, number>();
  const slow: Kind = {
    deadlineS: 30,
    concurrency: 2,
    run: async (job: Job) => {
      runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 400));
    },
  };
  const one = await queueOf({ twelve: slow });
  await queueOf({ twelve: slow });
  await one.sendMany(
    database.db,
    'twelve',
    Array.from({ length: 12 }, (_, i) => ({ key: `s${String(i).padStart(2, '0')}`, payload: {}, group: `user-${i}` })),
  );
  await one.drained(['twelve']);
  expect(runs.size).toBe(12);
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
});

it('a job that fails every attempt becomes a dead letter: its kind is told once; the others go on', async () => {
  const dead: Job[] = [];
  const ran: string[] = [];
  const q = await queueOf(
    {
      poison: {
        deadlineS: 30,
        run: async (job) => {
          if (job.key === 'p1') throw new Error(`attempt ${job.attempts} failed`);
          ran.push(job.key);
        },
        onDead: async (job) => void dead.push(job),
      },
    },
    { ...OPTIONS, maxAttempts: 2 },
  );
  await q.send(database.db, 'poison', 'p1', { n: 1 });
  await q.send(database.db, 'poison', 'p2', {});
  await waitFor(async () => dead.length === 1, 'p1 to be given up', 20_000);
  expect(ran).toEqual(['p2']);
  expect(dead[0]).toMatchObject({ key: 'p1', payload: { n: 1 } });
  expect((await states('poison')).map((r) => [r.key, r.state, r.retry_count, r.output?.message])).toEqual([
    ['p1', 'failed', 1, 'attempt 2 failed'],
    ['p2', 'completed', 0, undefined],
  ]);
  // Sending the same item again after it failed runs it anew (here, to its own dead letter).
  await q.send(database.db, 'poison', 'p1', { n: 2 });
  await waitFor(async () => dead.length === 2, 'the second p1 to be given up', 20_000);
  expect(dead[1]).toMatchObject({ key: 'p1', payload: { n: 2 } });
});
