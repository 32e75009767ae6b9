import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type Database, execRows } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { JobWorker, enqueue } from '../../src/shared/jobs.js';
import { freshDatabase } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';

/** A job that never ends (a peer that drips forever) holds the worker only until its kind's deadline. */
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
