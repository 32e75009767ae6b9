import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../helpers/server.js';
import { subscribed, wsClient } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

const TRUSTED_SUB = 'subscription Mine { notificationAdded { id title } }';
const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`;
const CREATE_LIST = `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`;
const SHARE = `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: VIEWER) { id } }`;
let s: TestServer;
let prod: TestServer;
let trusted: TestServer;
beforeAll(async () => {
  const manifest = join(tmpdir(), `orbit-ws-manifest-${Date.now()}.json`);
  writeFileSync(
    manifest,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [TRUSTED_SUB, REGISTER, CREATE_LIST, SHARE].map((body) => ({
        id: createHash('sha256').update(body).digest('hex'),
        body,
      })),
    }),
  );
  [s, prod, trusted] = await Promise.all([
    startServer(),
    startServer({ NODE_ENV: 'production' }),
    startServer({ PERSISTED_QUERIES: 'only', PERSISTED_QUERIES_MANIFEST: manifest }),
  ]);
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(prod);
  await closeAll(trusted);
});

const codes = (errors: unknown[]) => JSON.stringify(errors);
const createList = async (server: TestServer, token: string, name: string) =>
  (await server.ok(CREATE_LIST, { n: name }, { token })).createTaskList.id as string;
const TASK_PAGE = `tasks(first: 100) { edges { node { id title notes labels { id name } } } }`;
const cases: Array<[string, string, string]> = [
  [
    'depth',
    `subscription D($id: ID!) { taskListChanged(listId: $id) { task { list { tasks { edges { node { list { tasks { edges { node { list { id } } } } } } } } } } } }`,
    'depth',
  ],
  [
    'cost',
    `subscription C($id: ID!) { taskListChanged(listId: $id) { task { list { a: ${TASK_PAGE} b: ${TASK_PAGE} c: ${TASK_PAGE} d: ${TASK_PAGE} } } } }`,
    'cost',
  ],
  [
    'aliases',
    `subscription A($id: ID!) { taskListChanged(listId: $id) { ${Array.from({ length: 16 }, (_, i) => `a${i}: taskId`).join(' ')} } }`,
    'aliases',
  ],
  [
    'directives',
    `subscription X($id: ID!) { taskListChanged(listId: $id) { ${'...F @include(if: true) '.repeat(51)} } } fragment F on TaskListChange { taskId }`,
    'directives',
  ],
];

describe('operations over WebSocket pass the same gate as over HTTP', () => {
  it.each(cases)(
    '%s over the limit: QUERY_TOO_COMPLEX naming it, and nothing is subscribed',
    async (_name, query, limit) => {
      const a = await s.register();
      const list = await createList(s, a.token, `limits ${limit}`);
      const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
      const sub = c.subscribe(query, { id: list });
      await sub.completed;
      expect(codes(sub.errors)).toContain('QUERY_TOO_COMPLEX');
      expect(codes(sub.errors)).toContain(`"limit":"${limit}"`);
      // Refused before anything subscribed: nobody waits on the list's events.
      expect(s.server.app.bus.listenerCount(`task:${list}`)).toBe(0);
      await c.dispose();
    },
  );

  it('runs only subscriptions: a mutation sent over the socket is refused and changes nothing', async () => {
    const a = await s.register();
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const sub = c.subscribe(`mutation { createTaskList(input: { name: "over the socket" }) { id } }`);
    await sub.completed;
    expect(codes(sub.errors)).toContain('BAD_USER_INPUT');
    expect(codes(sub.errors)).toContain('Only subscriptions run over WebSocket');
    const lists = await s.ok(`{ taskLists { name } }`, {}, { token: a.token });
    expect(lists.taskLists).toEqual([]);
    await c.dispose();
  });

  it('in production: no field suggestions, and an unexpected error says nothing internal but carries a request id', async () => {
    const a = await prod.register();
    const c = wsClient(prod.url, { authorization: `Bearer ${a.token}` });
    const typo = c.subscribe(`subscription { notificationAdde { id } }`);
    await typo.completed;
    expect(codes(typo.errors)).toContain('BAD_USER_INPUT');
    expect(codes(typo.errors)).not.toMatch(/Did you mean/);

    // The replay reads the notifications table; without it the database answers with an SQL error.
    const db = prod.server.app.db;
    await db.execute(sql`alter table notifications rename to notifications_hidden`);
    try {
      const broken = c.subscribe(
        `subscription { notificationAdded(after: "00000000-0000-4000-8000-000000000000") { id } }`,
      );
      await broken.completed;
      const [error] = broken.errors.flat() as Array<{
        message: string;
        extensions: { code: string; requestId?: string };
      }>;
      expect(error!.message).toBe('Internal server error');
      expect(error!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error!.extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(codes(broken.errors)).not.toMatch(/relation|notifications|select/i);
    } finally {
      await db.execute(sql`alter table notifications_hidden rename to notifications`);
    }
    await c.dispose();
  });

  it('PERSISTED_QUERIES=only: a manifest subscription runs, any other is refused with FORBIDDEN', async () => {
    const a = await trusted.register();
    const c = wsClient(trusted.url, { authorization: `Bearer ${a.token}` });
    const other = c.subscribe(`subscription { notificationAdded { id } }`);
    await other.completed;
    expect(codes(other.errors)).toContain('FORBIDDEN');
    const known = c.subscribe(TRUSTED_SUB);
    await subscribed(trusted, `notification:${a.userId}`);
    const stranger = await trusted.register();
    const list = await createList(trusted, stranger.token, 'shared');
    await trusted.ok(SHARE, { id: list, e: a.email }, { token: stranger.token });
    const value = await known.nth(1);
    expect(value.notificationAdded.title).toMatch(/shared/i);
    expect(known.errors).toEqual([]);
    await c.dispose();
  });

  it('closes with 1009 when a message is over 1 MB', async () => {
    const a = await s.register();
    const socket = new WebSocket(`${s.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => socket.on('open', r));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.token}` } }));
    await new Promise((r) => socket.once('message', r));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: `subscription { notificationAdded { id } } # ${'x'.repeat(1024 * 1024)}` },
      }),
    );
    expect(await closed).toBe(1009);
  });
});
