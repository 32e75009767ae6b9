import DataLoader from 'dataloader';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import postgres from 'postgres';

/**
 * The floor for the nested read: a minimal fastify route that answers the benchmark's one query
 * with the statements Orbit runs for it (copied from Orbit's statement log, sent the same way:
 * unnamed, rows as arrays) and builds the same JSON by hand. No GraphQL, no DataLoader, no ORM.
 * Like Orbit, it verifies a token once and remembers it.
 *
 *   query Nested { taskLists { id tasks(first: 20) { edges { node { id labels { id } assignee { id }
 *     createdBy { id } } } } members { user { id } } } }
 */
export const NESTED = `query Nested { taskLists { id tasks(first: 20) { edges { node { id labels { id } assignee { id } createdBy { id } } } } members { user { id } } } }`;
const FIRST = 20;

const AUTH = `select "users"."id", "users"."email", "users"."username", "users"."name", "users"."timezone", "users"."role", "users"."tier", "users"."email_verified_at", "users"."suspended_at", "users"."suspension_reason", "users"."created_at", "users"."updated_at", "sessions"."revoked_at" from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where ("sessions"."id" = $1 and "sessions"."user_id" = $2)`;
const LISTS = `select "task_lists"."id", "task_lists"."owner_id", "task_lists"."name", "task_lists"."color", "task_lists"."position", "task_lists"."created_at", "task_lists"."updated_at", "list_members"."role" from "task_lists" inner join "list_members" on ("list_members"."list_id" = "task_lists"."id" and "list_members"."user_id" = $1) order by "list_members"."role" <> 'OWNER', "task_lists"."position" asc, "task_lists"."created_at" asc, "task_lists"."id" asc`;
const MEMBERS = `select "list_id", "user_id", "role", "added_at" from "list_members" where "list_members"."list_id" = any($1::uuid[]) order by "list_members"."added_at" asc, "list_members"."user_id" asc`;
const TASK_PAGES = `select "id", "list_id", "title", "notes", "status", "priority", "due_at", "completed_at", "position", "assignee_id", "created_by_id", "created_at", "updated_at", "total", "past", "rank" from (select "id", "list_id", "title", "notes", "status", "priority", "due_at", "completed_at", "position", "assignee_id", "created_by_id", "created_at", "updated_at", count(*) over (partition by "tasks"."list_id") as "total", (true) as "past", count(*) filter (where true) over (partition by "tasks"."list_id" order by "tasks"."position" asc nulls last, "tasks"."id" asc) as "rank" from "tasks" where "tasks"."list_id" = any($1::uuid[])) "t" where ("past" = $2 and "rank" <= $3) order by "t"."list_id", "rank"`;
const USERS = `select "id", "email", "username", "name", "timezone", "role", "tier", "email_verified_at", "suspended_at", "suspension_reason", "created_at", "updated_at" from "users" where "users"."id" = any($1::uuid[])`;
const LABELS = `select "task_labels"."task_id", "labels"."id", "labels"."owner_id", "labels"."name", "labels"."color", "labels"."created_at" from "task_labels" inner join "labels" on "labels"."id" = "task_labels"."label_id" where "task_labels"."task_id" = any($1::uuid[]) order by lower("labels"."name"), "labels"."id"`;

type Row = unknown[];
const group = (rows: Row[], key: number) => {
  const out = new Map<string, Row[]>();
  for (const row of rows) {
    const k = row[key] as string;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(row);
  }
  return out;
};

export async function startFloor(databaseUrl: string, secret: string, port: number, poolMax: number) {
  const sql = postgres(databaseUrl, {
    max: poolMax,
    onnotice: () => {},
    idle_timeout: 30,
    connection: { statement_timeout: 5000, application_name: 'orbit-floor' },
  });
  let statements = 0;
  const run = (text: string, values: unknown[]) => {
    statements += 1;
    return sql.unsafe(text, values as never[], { prepare: false }).values() as unknown as Promise<Row[]>;
  };
  const key = new TextEncoder().encode(secret);
  const verified = new Map<string, string>();
  const app = Fastify();

  app.post('/graphql', async (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    let userId = token ? verified.get(token) : undefined;
    if (token && !userId) {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: 'orbit',
        audience: 'orbit-api',
      });
      const [row] = await run(AUTH, [payload.sid, payload.sub]);
      if (row && row[12] === null) verified.set(token, (userId = row[0] as string));
    }
    if (!userId) return reply.code(401).send({ errors: [{ message: 'Not authenticated' }] });

    const lists = await run(LISTS, [userId]);
    const listIds = lists.map((l) => l[0] as string);
    // Users are batched per tick, as Orbit's loader does: one statement when the members' and the
    // tasks' users are asked for in the same tick, two when their rows come back apart.
    const users = new DataLoader<string, Row | null>(async (ids) => {
      const rows = await run(USERS, [[...ids]]);
      const byId = new Map(rows.map((u) => [u[0] as string, u]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    const [[memberRows, memberUsers], [pageRows, taskUsers, labelRows]] = await Promise.all([
      run(MEMBERS, [listIds]).then(
        async (rows) => [rows, await users.loadMany([...new Set(rows.map((m) => m[1] as string))])] as const,
      ),
      run(TASK_PAGES, [listIds, true, FIRST + 1]).then(async (rows) => {
        const page = rows.filter((t) => Number(t[15]) <= FIRST);
        const ids = [
          ...new Set(page.flatMap((t) => [t[9] as string | null, t[10] as string]).filter((id): id is string => !!id)),
        ];
        const [found, labelRows] = await Promise.all([
          users.loadMany(ids),
          run(LABELS, [page.map((t) => t[0] as string)]),
        ]);
        return [page, found, labelRows] as const;
      }),
    ]);
    const userRows = [...memberUsers, ...taskUsers].filter((u): u is Row => Array.isArray(u));
    const known = new Set(userRows.map((u) => u[0] as string));
    const userRef = (id: string | null) => (id && known.has(id) ? { id } : null);
    const membersOf = group(memberRows, 0);
    const tasksOf = group(pageRows, 1);
    const labelsOfTask = group(labelRows, 0);
    const taskLists = lists.map((l) => ({
      id: l[0],
      tasks: {
        edges: (tasksOf.get(l[0] as string) ?? []).map((t) => ({
          node: {
            id: t[0],
            labels: (labelsOfTask.get(t[0] as string) ?? []).map((lab) => ({ id: lab[1] })),
            assignee: userRef(t[9] as string | null),
            createdBy: userRef(t[10] as string),
          },
        })),
      },
      members: (membersOf.get(l[0] as string) ?? []).map((m) => ({ user: userRef(m[1] as string) })),
    }));
    return reply
      .header('content-type', 'application/graphql-response+json; charset=utf-8')
      .send(JSON.stringify({ data: { taskLists } }));
  });

  // How many statements the floor has run: the benchmark checks it runs as many as Orbit.
  app.get('/statements', async () => ({ statements }));
  await app.listen({ port, host: '127.0.0.1' });
  return { close: async () => (await app.close(), await sql.end({ timeout: 5 })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const floor = await startFloor(
    process.env.DATABASE_URL!,
    process.env.JWT_SECRET!,
    Number(process.env.PORT),
    Number(process.env.DB_POOL_MAX ?? 10),
  );
  process.on('SIGTERM', () => void floor.close().then(() => process.exit(0)));
}
