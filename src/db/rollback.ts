import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, DbConfig } from './client.js';
import { LOCK_KEY, migrationsFolder } from './migrate.js';

/**
 * Reversible migrations. Every migration `drizzle/<tag>.sql` has its down script beside it,
 * `drizzle/<tag>.down.sql`, whose first line is a comment that says whether the step loses data a
 * user wrote ("-- DATA LOSS: …") or not ("-- Reversible without data loss: …"). Statements are
 * separated by `--> statement-breakpoint`, as in the up scripts.
 */
export interface JournalEntry {
  idx: number;
  tag: string;
  when: number;
}

export interface RolledBack {
  tag: string;
  /** The down script's first line, without the comment marker. */
  note: string;
}

export function journal(folder = migrationsFolder): JournalEntry[] {
  const file = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return file.entries;
}

export function downScript(tag: string, folder = migrationsFolder): { note: string; statements: string[] } {
  const file = join(folder, `${tag}.down.sql`);
  if (!existsSync(file)) throw new Error(`migration ${tag} has no down script (${file})`);
  const text = readFileSync(file, 'utf8');
  const note = (text.split('\n', 1)[0] ?? '').replace(/^--\s*/, '');
  const statements = text
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { note, statements };
}

/** The minimal executor both drivers give: a statement, and a transaction around several. */
interface Session {
  execute(query: ReturnType<typeof sql.raw>): Promise<unknown>;
  transaction<T>(run: (tx: Session) => Promise<T>): Promise<T>;
}

/**
 * Rolls back applied migrations, newest first, until `to` is the newest applied one (`to: null`
 * rolls back everything; without `to`, one step). Each step runs its down script and forgets its
 * row in drizzle's journal table in one transaction, under the same advisory lock as migrate.
 */
export async function rollbackMigrations(
  database: Database,
  config: DbConfig,
  target: { to?: string | null } = {},
  folder = migrationsFolder,
): Promise<RolledBack[]> {
  const entries = journal(folder);
  if (target.to && !entries.some((e) => e.tag === target.to)) {
    throw new Error(`unknown migration ${target.to} (known: ${entries.map((e) => e.tag).join(', ')})`);
  }
  return withLock(database, config, async (session) => {
    const applied = await appliedTimes(session);
    const steps = entries.filter((e) => applied.has(e.when)).sort((a, b) => b.idx - a.idx);
    let count = Math.min(1, steps.length);
    if (target.to === null) count = steps.length;
    else if (target.to !== undefined) {
      count = steps.findIndex((e) => e.tag === target.to);
      if (count < 0) throw new Error(`migration ${target.to} is not applied`);
    }
    const chosen = steps.slice(0, count);
    // Every script is read before the first one runs: a missing one changes nothing.
    const scripts = chosen.map((e) => ({ entry: e, ...downScript(e.tag, folder) }));
    const done: RolledBack[] = [];
    for (const { entry, note, statements } of scripts) {
      await session.transaction(async (tx) => {
        for (const statement of statements) await tx.execute(sql.raw(statement));
        await tx.execute(sql`delete from "drizzle"."__drizzle_migrations" where "created_at" = ${entry.when}`);
      });
      done.push({ tag: entry.tag, note });
    }
    return done;
  });
}

async function appliedTimes(session: Session): Promise<Set<number>> {
  const exists = rowsOf<{ name: string | null }>(
    await session.execute(sql.raw(`select to_regclass('"drizzle"."__drizzle_migrations"')::text as name`)),
  );
  if (!exists[0]?.name) return new Set();
  const rows = rowsOf<{ created_at: string | number }>(
    await session.execute(sql.raw(`select "created_at" from "drizzle"."__drizzle_migrations"`)),
  );
  return new Set(rows.map((r) => Number(r.created_at)));
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

async function withLock<T>(database: Database, config: DbConfig, run: (session: Session) => Promise<T>): Promise<T> {
  if (database.kind === 'pglite') {
    const session = database.db as unknown as Session;
    await session.execute(sql.raw(`select pg_advisory_lock(${LOCK_KEY})`));
    try {
      return await run(session);
    } finally {
      await session.execute(sql.raw(`select pg_advisory_unlock(${LOCK_KEY})`));
    }
  }
  // One dedicated connection: the advisory lock belongs to the session that took it.
  const client = postgres(config.DATABASE_URL ?? '', { max: 1, onnotice: () => {} });
  try {
    const session = drizzlePostgres({ client }) as unknown as Session;
    await client`select pg_advisory_lock(${LOCK_KEY})`;
    try {
      return await run(session);
    } finally {
      await client`select pg_advisory_unlock(${LOCK_KEY})`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
