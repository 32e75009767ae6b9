import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { execRows } from '../src/db/client.js';
import { activities, notifications, tasks } from '../src/db/schema/index.js';
import { type BenchDatabase, body, login, startServerProcess } from './lib.js';
import { type LoadResult, failures, runLoad } from './load.js';
import { BENCH_PASSWORD, type Seeded, benchEnv, withDatabase } from './seed.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;
const CREATE = 'mutation Create($input: CreateTaskInput!) { createTask(input: $input) { id } }';

export interface MutationResult {
  load: LoadResult;
  /** Rows written during the run, counted in the database afterwards. */
  rows: { tasks: number; activities: number; notifications: number };
  errors: number;
}

/**
 * 4. Mutation throughput: createTask into 10 shared lists, assigned to the other member, so each
 * call writes the task, its activity row and a TASK_ASSIGNED notification (with its NOTIFY) in one
 * transaction. Afterwards the database must hold exactly one of each per successful call.
 */
export async function mutations(db: BenchDatabase, seeded: Seeded): Promise<MutationResult> {
  const tag = `bench-create-${Date.now()}`;
  const server = await startServerProcess(benchEnv(db.env));
  let load: LoadResult;
  try {
    const token = await login(server.url, seeded.measured.email, BENCH_PASSWORD);
    const lists = seeded.measuredLists.slice(0, 10);
    const bodies = Array.from({ length: 50 }, (_, i) =>
      body(CREATE, { input: { listId: lists[i % lists.length], title: `${tag} ${i}`, assigneeId: seeded.reader.id } }),
    );
    const spec = {
      url: `${server.url}/graphql`,
      bodies,
      headers: { authorization: `Bearer ${token}` },
      connections: CONNECTIONS,
      durationS: DURATION_S,
    };
    await runLoad({ ...spec, durationS: 3, bodies: bodies.map((b) => b.replace(tag, `${tag}-warm`)) });
    load = await runLoad(spec);
  } finally {
    await server.stop();
  }
  const rows = await withDatabase(db.env, async ({ db: q }) => {
    const created = await q
      .select({ id: tasks.id })
      .from(tasks)
      .where(like(tasks.title, `${tag} %`));
    const ids = created.map((t) => t.id);
    const count = async (table: typeof activities | typeof notifications, where: ReturnType<typeof and>) =>
      Number(
        (await execRows<{ n: number }>(q, sql`select count(*)::int as n from ${table} where ${where}`))[0]?.n ?? 0,
      );
    return {
      tasks: ids.length,
      activities: ids.length
        ? await count(activities, and(eq(activities.verb, 'task.created'), inArray(activities.entityId, ids)))
        : 0,
      notifications: ids.length
        ? await count(notifications, and(eq(notifications.kind, 'TASK_ASSIGNED'), inArray(notifications.entityId, ids)))
        : 0,
    };
  });
  // Every task has its activity row and notification; requests still in flight when the load
  // stopped may have committed without their answer being counted.
  const succeeded = load.requests - load.non2xx - load.graphqlErrors;
  const atomic = rows.tasks === rows.activities && rows.tasks === rows.notifications;
  const accounted = rows.tasks >= succeeded && rows.tasks <= succeeded + CONNECTIONS;
  return { load, rows, errors: failures(load) + (atomic && accounted ? 0 : 1) };
}
