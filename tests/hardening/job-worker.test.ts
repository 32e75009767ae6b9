import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type Database, execRows } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { JobWorker, enqueue } from '../../src/shared/jobs.js';
import { freshDatabase } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';

/** The worker: a job that never ends (a peer that drips forever) holds it only until its kind's deadline; claims are fair per user. */
let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  drop = db.drop;
  const config = {
    DATABASE_URL: db.env.DATABASE_URL,
    pgliteDir: db.env.DATA_DIR,
    DB_POOL_MAX: 2,
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
