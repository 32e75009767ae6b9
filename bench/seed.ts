import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/shared/config.js';
import { type Database, createDb } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { labels, listMembers, sessions, taskLabels, taskLists, tasks, users } from '../src/db/schema/index.js';
import { Passwords } from '../src/modules/accounts/passwords.js';
import { signAccessToken } from '../src/modules/accounts/tokens.js';

export const BENCH_PASSWORD = 'bench-password-42';
export const BENCH_SECRET = 'bench-secret-'.padEnd(48, 'x');

/**
 * The seeded workspace. `measured` owns 20 lists × 50 tasks × 3 labels and shares 10 of the lists
 * with `reader` (EDITOR), who owns none: the reader's `taskLists` is 10 lists. Every list has two
 * more members. The other users own 2 lists × 10 tasks
 * each, so the tables have the size of a real installation rather than one user's rows.
 */
export interface Seeded {
  emails: string[];
  userIds: string[];
  measured: { id: string; email: string };
  reader: { id: string; email: string };
  measuredLists: string[];
}

/** The environment a bench server runs with (besides the database). */
export const benchEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: 'production',
  JWT_SECRET: BENCH_SECRET,
  SECRETS_KEY: '0'.repeat(64),
  LOG_LEVEL: 'warn',
  // Benchmarks sign in far more often than one person: the per-address limits would refuse them.
  IP_LOGIN_LIMIT: '100000000',
  IP_REGISTER_LIMIT: '100000000',
  LOGIN_MAX_FAILURES: '100000000',
  ...extra,
});

/** Opens the benchmark's database the way the server will (migrations included), runs fn, closes it. */
export async function withDatabase<T>(
  dbEnv: Record<string, string>,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const config = loadConfig(benchEnv(dbEnv));
  const database = await createDb(config);
  try {
    await runMigrations(database, config);
    return await fn(database);
  } finally {
    await database.close();
  }
}

const chunks = <T>(rows: T[], size = 1000): T[][] =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

export async function seedWorkspace(dbEnv: Record<string, string>, userCount = 1000): Promise<Seeded> {
  const passwordHash = await new Passwords({ memoryCost: 19456, timeCost: 2, parallelism: 1 }).hash(BENCH_PASSWORD);
  return withDatabase(dbEnv, async ({ db }) => {
    const emails = Array.from({ length: userCount }, (_, i) => `bench-${String(i).padStart(4, '0')}@bench.example`);
    const userIds: string[] = [];
    for (const part of chunks(emails)) {
      const rows = await db
        .insert(users)
        .values(part.map((email, i) => ({ email, passwordHash, name: `Bench ${i}`, emailVerifiedAt: new Date() })))
        .returning({ id: users.id });
      userIds.push(...rows.map((r) => r.id));
    }
    const [measured, reader] = [userIds[0]!, userIds[1]!];
    const labelRows = await db
      .insert(labels)
      .values(Array.from({ length: 30 }, (_, i) => ({ ownerId: measured, name: `label ${i}`, color: '#3366ff' })))
      .returning({ id: labels.id });

    const listRows: Array<typeof taskLists.$inferInsert> = [];
    for (let u = 0; u < userCount; u++) {
      // The reader sees only the 10 lists shared with it.
      const count = u === 0 ? 20 : u === 1 ? 0 : 2;
      for (let l = 0; l < count; l++) listRows.push({ ownerId: userIds[u]!, name: `List ${l} of ${u}`, position: l });
    }
    const lists: Array<{ id: string; ownerId: string }> = [];
    for (const part of chunks(listRows))
      lists.push(
        ...(await db.insert(taskLists).values(part).returning({ id: taskLists.id, ownerId: taskLists.ownerId })),
      );

    const memberRows: Array<typeof listMembers.$inferInsert> = [];
    const taskRows: Array<typeof tasks.$inferInsert> = [];
    lists.forEach((list, n) => {
      const own = list.ownerId === measured;
      const others = [userIds[(n * 7 + 2) % userCount]!, userIds[(n * 13 + 3) % userCount]!].filter(
        (id) => id !== list.ownerId && id !== reader,
      );
      const shareWithReader = own && n < 10;
      memberRows.push({ listId: list.id, userId: list.ownerId, role: 'OWNER' });
      if (shareWithReader) memberRows.push({ listId: list.id, userId: reader, role: 'EDITOR' });
      for (const id of new Set(others)) memberRows.push({ listId: list.id, userId: id, role: 'VIEWER' });
      const perList = own ? 50 : 10;
      for (let t = 0; t < perList; t++) {
        taskRows.push({
          listId: list.id,
          title: `Task ${t} of list ${n}`,
          notes: t % 3 === 0 ? 'Some notes about this task, long enough to look like real ones.' : null,
          position: t,
          priority: (['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const)[t % 4],
          status: (['TODO', 'IN_PROGRESS', 'DONE'] as const)[t % 3],
          dueAt: t % 2 ? new Date(Date.now() + t * 86_400_000) : null,
          createdById: list.ownerId,
          assigneeId: shareWithReader && t % 2 ? reader : null,
        });
      }
    });
    for (const part of chunks(memberRows)) await db.insert(listMembers).values(part);
    const taskIds: Array<{ id: string; listId: string }> = [];
    for (const part of chunks(taskRows))
      taskIds.push(...(await db.insert(tasks).values(part).returning({ id: tasks.id, listId: tasks.listId })));
    const measuredLists = lists.filter((l) => l.ownerId === measured).map((l) => l.id);
    const mine = new Set(measuredLists);
    const labelLinks = taskIds
      .filter((t) => mine.has(t.listId))
      .flatMap((t, i) =>
        [0, 1, 2].map((k) => ({ taskId: t.id, labelId: labelRows[(i + k * 7) % labelRows.length]!.id })),
      );
    for (const part of chunks(labelLinks)) await db.insert(taskLabels).values(part);
    await db.execute(sql`analyze`);
    return {
      emails,
      userIds,
      measured: { id: measured, email: emails[0]! },
      reader: { id: reader, email: emails[1]! },
      measuredLists,
    };
  });
}

/**
 * n sessions of one user, written before the server starts (the embedded database has one owner at
 * a time). Their tokens are signed when needed (accessTokens): n sockets with n credentials share
 * nothing that a crowd of real clients would not share.
 */
export async function seedSessions(dbEnv: Record<string, string>, userId: string, n: number): Promise<string[]> {
  return withDatabase(dbEnv, async ({ db }) => {
    const out: string[] = [];
    const expiresAt = new Date(Date.now() + 86_400_000);
    for (const part of chunks(Array.from({ length: n }), 1000)) {
      const rows = await db
        .insert(sessions)
        .values(part.map(() => ({ userId, userAgent: 'bench', expiresAt, absoluteExpiresAt: expiresAt })))
        .returning({ id: sessions.id });
      out.push(...rows.map((r) => r.id));
    }
    return out;
  });
}

/** Access tokens for sessions of userId, signed with the bench secret (valid ACCESS_TOKEN_TTL_S). */
export async function accessTokens(
  dbEnv: Record<string, string>,
  userId: string,
  sessionIds: string[],
): Promise<string[]> {
  const config = loadConfig(benchEnv(dbEnv));
  const settings = {
    secret: config.jwtSecret,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_S,
  };
  return Promise.all(sessionIds.map(async (sid) => (await signAccessToken(settings, userId, sid)).token));
}
