import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { installJobs } from '../shared/jobs.js';
import type { Database, DbConfig } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Any constant shared by every replica: the key of the migration lock. */
export const LOCK_KEY = 774_211_001;

/**
 * Applies drizzle/ under a session-level advisory lock, so replicas that boot together take turns and
 * the second one finds nothing left to do.
 */
export async function runMigrations(database: Database, config: DbConfig, folder = migrationsFolder): Promise<void> {
  if (database.kind === 'pglite') {
    // One embedded instance has one connection: the lock is taken for symmetry with the server.
    const db = database.db as unknown as ReturnType<typeof drizzlePglite>;
    await db.execute(sql`select pg_advisory_lock(${LOCK_KEY})`);
    try {
      await migratePglite(db, { migrationsFolder: folder });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${LOCK_KEY})`);
    }
    await installJobs(database);
    return;
  }
  // A dedicated single connection: the advisory lock belongs to the session that took it.
  const client = postgres(config.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder });
    await client`select pg_advisory_unlock(${LOCK_KEY})`;
  } finally {
    await client.end({ timeout: 5 });
  }
  // pg-boss's schema: created, or migrated to this version, under pg-boss's own lock.
  await installJobs(database);
}
