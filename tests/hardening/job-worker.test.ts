import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type Database, execRows } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { type Job, JobWorker, enqueue } from '../../src/shared/jobs.js';
import { freshDatabase } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';

/**
 * The worker: a job that never ends (a peer that drips forever) holds it only until its kind's
 * deadline; claims are fair per user. Leases: two workers (two replicas) with jobs slower than the
 * lease; a job whose worker died on its last attempt; a worker that lost its lease while the job ran.
 */
let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  const config = {
    DATABASE_URL: db.env.DATABASE_URL,
    pgliteDir: db.env.DATA_DIR,
    DB_POOL_MAX: 4,
    DB_STATEMENT_TIMEOUT_MS: 10_000,
  };
  database = await createDb(config);
  await runMigrations(database, config);
});
afterAll(async () => {
  await database.close();
  await drop();
});

it('a job past its deadline fails (to be retried) and the next job runs', async () => {
  const done: string[] = [];
  let hung: AbortSignal | undefined;
  const worker = new JobWorker(
    database.db,
    {
      hang: (_job, signal) => {
        hung = signal;
        return new Promise(() => {});
      },
      quick: async (job) => void done.push(job.key),
    },
    { pollMs: 20, maxAttempts: 3, deadlines: { hang: 300 } },
    pino({ level: 'silent' }),
  );
  await enqueue(database.db, 'hang', 'h1', {});
  await enqueue(database.db, 'quick', 'q1', {});
  const started = Date.now();
  worker.start();
  try {
    await waitFor(async () => done.includes('q1'), 'the quick job to run', 5_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(hung?.aborted).toBe(true);
    const [row] = await execRows<{ status: string; last_error: string; attempts: number }>(
      database.db,
      sql`select status, last_error, attempts from jobs where kind = 'hang'`,
    );
    expect(row).toMatchObject({
      status: 'queued',
      attempts: 1,
      last_error: expect.stringContaining('300 ms deadline'),
    });
  } finally {
    await worker.stop();
  }
});

it("claims one job per user at a time: one user's many jobs do not hold another's back", async () => {
  const order: string[] = [];
  const worker = new JobWorker(
    database.db,
    { work: async (job) => void order.push(job.key) },
    { pollMs: 20, maxAttempts: 3 },
    pino({ level: 'silent' }),
  );
  for (let i = 1; i <= 5; i++) await enqueue(database.db, 'work', `a${i}`, {}, 'user-a');
  await enqueue(database.db, 'work', 'b1', {}, 'user-b');
  worker.start();
  try {
    await waitFor(async () => order.length === 6, 'every job to run', 5_000);
    // Without fairness b1 would run last, after a1…a5.
    expect(order.indexOf('b1')).toBeLessThanOrEqual(1);
    expect(order.filter((k) => k.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  } finally {
    await worker.stop();
  }
});

const silent = pino({ level: 'silent' });
const jobRows = (kind: string) =>
  execRows<{ key: string; status: string; attempts: number; last_error: string | null; locked_by: string | null }>(
    database.db,
    sql`select key, status, attempts, last_error, locked_by from jobs where kind = ${kind} order by key`,
  );

it('12 jobs slower than a 2 s lease, on two workers, each run once', async () => {
  const runs = new Map<string, number>();
  const slow = async (job: Job) => {
    runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 500));
  };
  // Twelve users: one claim takes all twelve (one per user), run one after another for 6 s.
  for (let i = 0; i < 12; i++) await enqueue(database.db, 'slow', `s${String(i).padStart(2, '0')}`, {}, `user-${i}`);
  const options = { pollMs: 20, maxAttempts: 5, leaseSeconds: 2, batch: 32 };
  const workers = [0, 1].map(() => new JobWorker(database.db, { slow }, options, silent));
  for (const w of workers) w.start();
  try {
    await waitFor(async () => (await jobRows('slow')).length === 0, 'every slow job to finish', 30_000);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  expect(runs.size).toBe(12);
  // Before the heartbeat, the jobs at the back of the batch lost their lease and ran twice.
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
});

it('a job whose worker died during its last attempt becomes a dead letter; the worker goes on', async () => {
  const ran: string[] = [];
  const dead: Job[] = [];
  // What a killed worker leaves: the last attempt counted, its lease ended, never settled.
  await enqueue(database.db, 'poison', 'p1', { n: 1 });
  await execRows(
    database.db,
    sql`update jobs set attempts = 3, locked_by = 'a-dead-worker', locked_until = now() - interval '1 second' where key = 'p1'`,
  );
  await enqueue(database.db, 'poison', 'p2', {});
  const worker = new JobWorker(
    database.db,
    { poison: async (job) => void ran.push(job.key) },
    { pollMs: 20, maxAttempts: 3, onDead: async (job) => void dead.push(job) },
    silent,
  );
  worker.start();
  try {
    await waitFor(async () => ran.includes('p2') && dead.length === 1, 'p2 to run and p1 to be given up', 5_000);
  } finally {
    await worker.stop();
  }
  expect(ran).toEqual(['p2']);
  expect(dead[0]).toMatchObject({ key: 'p1', payload: { n: 1 }, attempts: 3 });
  expect(await jobRows('poison')).toEqual([
    {
      key: 'p1',
      status: 'failed',
      attempts: 3,
      last_error: expect.stringContaining('its worker stopped during each of its last attempts'),
      locked_by: null,
    },
  ]);
});

it('a worker that lost its lease while the job ran does not settle it: the new holder does', async () => {
  let release!: () => void;
  const running = new Promise<void>((r) => (release = r));
  let started = false;
  const worker = new JobWorker(
    database.db,
    {
      held: async () => {
        started = true;
        await running;
      },
    },
    { pollMs: 20, maxAttempts: 3, leaseSeconds: 30 },
    silent,
  );
  await enqueue(database.db, 'held', 'h1', {});
  worker.start();
  try {
    await waitFor(async () => started, 'the job to start', 5_000);
    // Another worker took it over (this one was paused past its lease, say).
    await execRows(database.db, sql`update jobs set locked_by = 'the-new-holder' where key = 'h1'`);
    release();
    // The run ends and the worker finds nothing more due (h1 is leased to the new holder).
    await worker.drained();
  } finally {
    await worker.stop();
  }
  // Not deleted as done, not released: still the new holder's.
  expect(await jobRows('held')).toEqual([
    expect.objectContaining({ key: 'h1', status: 'queued', attempts: 1, locked_by: 'the-new-holder' }),
  ]);
});
