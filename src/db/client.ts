import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that runs queries: the database or an open transaction. */
export type Queryable = Db | Tx;

/** Per-operation statistics, set by the caller with `queryStats.run(stats, fn)`. */
export interface QueryStats {
  statements: number;
}
export const queryStats = new AsyncLocalStorage<QueryStats>();

const countingLogger: Logger = {
  logQuery() {
    const stats = queryStats.getStore();
    if (stats) stats.statements += 1;
  },
};

export interface DbConfig {
  DATABASE_URL?: string;
  DB_POOL_MAX: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  pgliteDir: string | undefined;
}

/** A LISTEN channel; onPayload gets each payload, onListen runs whenever LISTEN is (re)established. */
export type Listen = (channel: string, onPayload: (payload: string) => void, onListen?: () => void) => Promise<() => Promise<void>>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  listen: Listen;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Runs raw SQL and returns its rows, the same on both drivers. */
export async function execRows<T>(q: Queryable, query: SQL): Promise<T[]> {
  const result = (await q.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function createDb(config: DbConfig): Promise<Database> {
  if (config.DATABASE_URL) return createPostgres(config.DATABASE_URL, config);
  return createPglite(config.pgliteDir);
}

async function createPglite(dir: string | undefined): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const client = dir ? await PGlite.create(dir) : await PGlite.create();
  const db = drizzlePglite({ client, schema, casing: 'snake_case', logger: countingLogger }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    // In-process: LISTEN is never lost once established.
    listen: async (channel, onPayload, onListen) => {
      const unsub = await client.listen(channel, onPayload);
      onListen?.();
      return async () => unsub();
    },
    ping: () => ping(db),
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

async function createPostgres(url: string, config: DbConfig): Promise<Database> {
  const client = postgres(url, {
    max: config.DB_POOL_MAX,
    onnotice: () => {},
    idle_timeout: 30,
    connect_timeout: 5,
    connection: { statement_timeout: config.DB_STATEMENT_TIMEOUT_MS, application_name: 'orbit' },
  });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case', logger: countingLogger }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    // postgres.js keeps LISTEN on a dedicated connection and re-LISTENs after it reconnects.
    listen: async (channel, onPayload, onListen) => {
      const sub = await client.listen(channel, onPayload, onListen);
      return () => sub.unlisten();
    },
    ping: () => ping(db),
    close: () => client.end({ timeout: 5 }),
  };
}

async function ping(db: Db): Promise<boolean> {
  try {
    await execRows(db, sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
