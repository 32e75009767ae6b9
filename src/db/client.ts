import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import {
  PgDatabase,
  type PgDialect,
  type PgQueryResultHKT,
  type PgTransaction,
  type PgTransactionConfig,
} from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.js';
import { withDeadlines } from './deadline.js';
import { resilientListen } from './listener.js';
import { templateFor } from './template.js';
import { pgliteSession, postgresSession } from './row-mapper.js';

/**
 * The database as Orbit uses it: the SQL builders and transactions, without drizzle's relational
 * `db.query` API. The databases are built without a schema, so `db.query` would be `{}` at run time;
 * leaving it out of the type makes any use of it a compile error instead of a crash.
 */
export type Db = Omit<PgDatabase<PgQueryResultHKT, Record<string, never>>, 'query' | 'transaction'> & {
  transaction<T>(run: (tx: Tx) => Promise<T>, config?: PgTransactionConfig): Promise<T>;
};
export type Tx = Omit<PgTransaction<PgQueryResultHKT, Record<string, never>>, 'query' | 'transaction'> & {
  transaction<T>(run: (tx: Tx) => Promise<T>): Promise<T>;
};
/** Anything that runs queries: the database or an open transaction. */
export type Queryable = Db | Tx;

/** What one operation's statements added up to. */
export interface QueryStats {
  statements: number;
  /**
   * A statement run first in every top-level transaction of this operation (an Idempotency-Key's
   * marker: it commits with the operation's writes or not at all, and locks the key's row meanwhile).
   */
  prologue?: SQL;
}

/** A database handle for one operation: counts its statements and runs its transaction prologue. */
function scopedDb(database: (logger?: Logger) => Db, stats: QueryStats): Db {
  const db = database(new CountingLogger(stats));
  const begin = db.transaction.bind(db);
  db.transaction = ((fn, config) =>
    begin(async (tx) => {
      if (stats.prologue) await tx.execute(stats.prologue);
      return fn(tx);
    }, config)) satisfies Db['transaction'];
  return db;
}

/** A logger that counts; drizzle calls it once per statement, transactions included. */
class CountingLogger implements Logger {
  constructor(private readonly stats: QueryStats) {}
  logQuery(): void {
    this.stats.statements += 1;
  }
}

export interface DbConfig {
  DATABASE_URL?: string;
  DB_POOL_MAX: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_DEADLINE_MS?: number;
  pgliteDir: string | undefined;
}

/** A LISTEN channel; onPayload gets each payload, onListen runs whenever LISTEN is (re)established. */
export type Listen = (
  channel: string,
  onPayload: (payload: string) => void,
  onListen?: () => void,
  /** Called when the listening connection is found deaf and replaced (PostgreSQL only). */
  onLost?: (reason: string) => void,
) => Promise<() => Promise<void>>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The embedded database itself (its one connection), for what must speak to it directly. */
  pglite?: PGlite;
  /** The server's URL, for what keeps connections of its own (the job queue's pool). */
  url?: string;
  /**
   * The same connections, with every statement counted into `stats`: one per request, which is how
   * statements are attributed to operations (rather than AsyncLocalStorage, whose promise hooks on
   * Node 20 slow down and enlarge every promise in the process).
   */
  scoped(stats: QueryStats): Db;
  listen: Listen;
  /** True when the database answers a trivial query (within `timeoutMs`). */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * This replica's connections to the server, from pg_stat_activity: open (the listener included)
   * and busy; null for the embedded database, which has its one connection.
   */
  poolUse(): Promise<{ open: number; busy: number } | null>;
  close(): Promise<void>;
}

/** Runs raw SQL and returns its rows, the same on both drivers. */
export async function execRows<T>(q: Queryable, query: SQL): Promise<T[]> {
  const result: unknown = await q.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

export async function createDb(config: DbConfig): Promise<Database> {
  if (config.DATABASE_URL) return createPostgres(config.DATABASE_URL, config);
  return createPglite(config.pgliteDir);
}

async function createPglite(dir: string | undefined): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  // Before anything opens the files: a second process is refused at once.
  const unlock = dir ? lockDataDir(dir) : () => {};
  let client: PGlite;
  try {
    const template = templateFor(dir);
    // pgvector is built into the embedded database: semantic search works with zero set-up.
    const options = { extensions: { vector }, ...(template ? { loadDataDir: template } : {}) };
    client = dir ? await PGlite.create(dir, options) : await PGlite.create(options);
  } catch (error) {
    unlock();
    throw error;
  }
  const dialect = dialectOf(drizzlePglite({ client, casing: 'snake_case' }));
  const database = (logger?: Logger) =>
    new PgDatabase(dialect, pgliteSession(client, dialect, logger), undefined) as unknown as Db;
  const db = database();
  const embedded: Database & { client: PGlite } = {
    db,
    client,
    pglite: client,
    kind: 'pglite',
    scoped: (stats) => scopedDb(database, stats),
    // In-process: LISTEN is never lost once established.
    listen: async (channel, onPayload, onListen) => {
      const unsub = await client.listen(channel, onPayload);
      onListen?.();
      return async () => unsub();
    },
    ping: (timeoutMs) => ping(db, timeoutMs),
    poolUse: async () => null,
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        unlock();
      }
    },
  };
  return embedded;
}

async function createPostgres(url: string, config: DbConfig): Promise<Database> {
  // One name per replica: pg_stat_activity tells its connections from other replicas'.
  const applicationName = `orbit/${randomBytes(4).toString('hex')}`;
  const options = {
    onnotice: () => {},
    connect_timeout: 5,
    backoff: reconnectBackoff,
    connection: { statement_timeout: config.DB_STATEMENT_TIMEOUT_MS, application_name: applicationName },
  };
  const raw = postgres(url, { ...options, max: config.DB_POOL_MAX, idle_timeout: 30 });
  // The server's statement_timeout cannot end a wait for a server that does not answer: this side bounds it too.
  const client = withDeadlines(raw, config.DB_DEADLINE_MS || config.DB_STATEMENT_TIMEOUT_MS + 1000);
  // drizzle's factory also sets postgres.js to hand dates over as text, which drizzle's columns decode.
  const dialect = dialectOf(drizzlePostgres({ client, casing: 'snake_case' }));
  const database = (logger?: Logger) =>
    new PgDatabase(dialect, postgresSession(client, dialect, logger), undefined) as unknown as Db;
  const db = database();
  return {
    db,
    kind: 'postgres',
    url,
    scoped: (stats) => scopedDb(database, stats),
    // LISTEN on a connection of its own that probes itself and is replaced when deaf (db/listener.ts).
    listen: (channel, onPayload, onListen, onLost) =>
      resilientListen({
        make: () => postgres(url, { ...options, max: 1 }),
        notify: (name, payload) => client.unsafe('select pg_notify($1, $2)', [name, payload]),
        channel,
        onPayload,
        onListen,
        onLost,
      }),
    ping: (timeoutMs) => ping(db, timeoutMs),
    poolUse: async () => {
      const [row] = await execRows<{ open: number; busy: number }>(
        db,
        sql`select count(*)::int as open, (count(*) filter (where state <> 'idle' and pid <> pg_backend_pid()))::int as busy from pg_stat_activity where application_name = ${applicationName}`,
      );
      return row ?? { open: 0, busy: 0 };
    },
    close: () => raw.end({ timeout: 5 }),
  };
}

/**
 * Seconds before a pooled connection that failed to connect tries again. postgres.js's default
 * grows with every failure of the whole pool (3^n / 100 s, up to 20 s): after a partition of a few
 * seconds each connection then waits up to 20 s before it tries again, and every statement given to
 * it meanwhile fails its deadline, long after the database is back. Here: 50 ms doubling, at most
 * 1 s, with jitter so that replicas do not come back in step.
 */
export function reconnectBackoff(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

/** The dialect (snake_case casing and its cache) is shared by every database object of a client. */
const dialectOf = (db: unknown) => (db as { dialect: PgDialect }).dialect;

async function ping(db: Db, timeoutMs = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      execRows(db, sql`select 1`).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
