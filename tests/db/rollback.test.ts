import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database, type DbConfig, execRows } from '../../src/db/client.js';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.js';
import { downScript, journal, rollbackMigrations } from '../../src/db/rollback.js';
import { catalogDump } from '../helpers/catalog.js';
import { freshDatabase } from '../helpers/server.js';

/**
 * Every migration can be rolled back: up one step at a time from an empty database, then down one
 * step at a time to empty, then up again; the catalog after each step equals the one taken at the
 * same step on the way up. Runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */
const entries = journal();
const scratch = mkdtempSync(join(tmpdir(), 'orbit-rollback-'));
let database: Database;
let config: DbConfig;
let drop: () => Promise<void>;

/** A migrations folder holding the first `n` migrations: drizzle's migrator applies what is listed. */
function folderUpTo(n: number): string {
  const dir = join(scratch, `up-${n}`);
  mkdirSync(join(dir, 'meta'), { recursive: true });
  const kept = entries.slice(0, n);
  for (const e of kept) copyFileSync(join(migrationsFolder, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(
    join(dir, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries: kept }),
  );
  return dir;
}

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const db = await freshDatabase();
    drop = db.drop;
    config = {
      DATABASE_URL: db.env.DATABASE_URL,
      DB_POOL_MAX: 2,
      DB_STATEMENT_TIMEOUT_MS: 20_000,
      pgliteDir: undefined,
    };
  } else {
    const dir = join(scratch, 'pglite');
    config = { DB_POOL_MAX: 1, DB_STATEMENT_TIMEOUT_MS: 20_000, pgliteDir: dir };
    drop = async () => {};
  }
  database = await createDb(config);
});

afterAll(async () => {
  await database.close();
  await drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('reversible migrations', () => {
  it('every migration has a down script whose first line says whether it loses data', () => {
    for (const e of entries) {
      const { note, statements } = downScript(e.tag);
      expect(note, e.tag).toMatch(/^(DATA LOSS: |Reversible without data loss)/);
      expect(statements.length, e.tag).toBeGreaterThan(0);
    }
  });

  it('up step by step, down step by step to empty, and up again: the catalog matches at every step', async () => {
    const up: string[][] = [await catalogDump(database.db)];
    for (let n = 1; n <= entries.length; n++) {
      await runMigrations(database, config, folderUpTo(n));
      up.push(await catalogDump(database.db));
      expect(up[n], `${entries[n - 1]!.tag} changes the catalog`).not.toEqual(up[n - 1]);
    }

    // Rows that the enum rewrites must carry across: values of the first release survive every step.
    const [user] = await execRows<{ id: string }>(
      database.db,
      sql`insert into users (email, password_hash) values ('rollback@example.com', 'x') returning id`,
    );
    await database.db.execute(
      sql`insert into notifications (user_id, kind, title) values (${user!.id}, 'TASK_ASSIGNED', 'kept'), (${user!.id}, 'EMAIL_RECEIVED', 'dropped with mail')`,
    );

    for (let n = entries.length; n >= 1; n--) {
      const [step] = await rollbackMigrations(database, config);
      expect(step?.tag).toBe(entries[n - 1]!.tag);
      expect(await catalogDump(database.db), `after rolling back ${entries[n - 1]!.tag}`).toEqual(up[n - 1]);
      if (n === 12) {
        // After 0011 (mail) is rolled back: its notifications are gone, the others kept.
        const kinds = await execRows<{ kind: string }>(
          database.db,
          sql`select kind::text from notifications order by kind`,
        );
        expect(kinds.map((k) => k.kind)).toEqual(['TASK_ASSIGNED']);
      }
    }
    expect(await rollbackMigrations(database, config)).toEqual([]);

    for (let n = 1; n <= entries.length; n++) {
      await runMigrations(database, config, folderUpTo(n));
      expect(await catalogDump(database.db), `up again to ${entries[n - 1]!.tag}`).toEqual(up[n]);
    }
  });

  it('rolls back to a named migration in one call, and refuses an unknown one without changing anything', async () => {
    const before = await catalogDump(database.db);
    await expect(rollbackMigrations(database, config, { to: '9999_nothing' })).rejects.toThrow(/unknown migration/);
    expect(await catalogDump(database.db)).toEqual(before);

    const keep = entries[entries.length - 4]!.tag;
    const done = await rollbackMigrations(database, config, { to: keep });
    expect(done.map((d) => d.tag)).toEqual(
      entries
        .slice(-3)
        .map((e) => e.tag)
        .reverse(),
    );
    const [{ count }] = (await execRows<{ count: number }>(
      database.db,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    )) as [{ count: number }];
    expect(count).toBe(entries.length - 3);

    await runMigrations(database, config);
    expect(await catalogDump(database.db)).toEqual(before);
  });
});
