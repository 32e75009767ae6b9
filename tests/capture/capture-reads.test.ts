import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSuggestions, captures, listMembers, taskLists, tasks } from '../../src/db/schema/index.js';
import { apiKey, mcpRpc } from '../assistant/agent-helpers.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { subscribed, wsClient } from '../helpers/ws.js';
import { createList } from '../tasks/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const gql = (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  s.ok(query, variables, { token: who.token });
const CREATE = `mutation C($t: String!) { createCapture(input: { text: $t }) { id status suggestions { id } } }`;

describe('captures, live and in bulk', () => {
  it('delivers captureChanged to the owner on commit, and to nobody else', async () => {
    const a = await s.register();
    const b = await s.register();
    await createList(s, a, 'L');
    const ws = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const other = wsClient(s.url, { authorization: `Bearer ${b.token}` });
    const Q = `subscription { captureChanged { id status suggestions { status } } }`;
    const sub = ws.subscribe(Q);
    const theirs = other.subscribe(Q);
    await subscribed(s, `capture:${a.userId}`);
    await subscribed(s, `capture:${b.userId}`);
    const c = (await gql(a, CREATE, { t: 'Water plants' })).createCapture;
    expect((await sub.nth(1)).captureChanged).toEqual({
      id: c.id,
      status: 'NEEDS_REVIEW',
      suggestions: [{ status: 'PROPOSED' }],
    });
    await gql(a, `mutation A($id: ID!) { acceptCaptureSuggestion(id: $id) { id } }`, { id: c.suggestions[0].id });
    expect((await sub.nth(2)).captureChanged).toEqual({
      id: c.id,
      status: 'DONE',
      suggestions: [{ status: 'ACCEPTED' }],
    });
    // A rejected mutation publishes nothing: the next event is the next change.
    await s.fail(
      `mutation A($id: ID!) { rejectCaptureSuggestion(id: $id) { id } }`,
      { id: c.suggestions[0].id },
      { token: a.token },
    );
    await gql(a, `mutation A($id: ID!) { archiveCapture(id: $id) { id } }`, { id: c.id });
    expect((await sub.nth(3)).captureChanged.status).toBe('ARCHIVED');
    expect(theirs.values).toEqual([]);
    await ws.dispose();
    await other.dispose();
  });

  it('reads captures with their suggestions and accepted items in the same statements for 2 and 40', async () => {
    const seed = async (n: number) => {
      const a = await s.register();
      const db = s.server.app.db;
      const [list] = await db.insert(taskLists).values({ ownerId: a.userId, name: 'L', position: 0 }).returning();
      await db.insert(listMembers).values({ listId: list!.id, userId: a.userId, role: 'OWNER' });
      for (let i = 0; i < n; i++) {
        const [c] = await db
          .insert(captures)
          .values({ userId: a.userId, source: 'APP', status: 'NEEDS_REVIEW', text: `c${i}` })
          .returning();
        const [t] = await db
          .insert(tasks)
          .values({ listId: list!.id, title: `t${i}`, position: i, createdById: a.userId })
          .returning();
        await db.insert(captureSuggestions).values([
          {
            captureId: c!.id,
            position: 0,
            kind: 'TASK',
            status: 'ACCEPTED',
            draft: { title: `t${i}` },
            resultType: 'task',
            resultId: t!.id,
          },
          { captureId: c!.id, position: 1, kind: 'DOCUMENT', status: 'PROPOSED', draft: { title: 'd', content: 'x' } },
        ]);
      }
      return a;
    };
    const Q = `{ captures(first: 50) { totalCount edges { node { id suggestions { kind status missing
      draft { __typename } result { __typename ... on Task { title list { id } labels { id } } } } } } } }`;
    const measure = async (who: Account) => {
      const { result, reports } = await s.reports(() => gql(who, Q));
      return { data: result, statements: reports[0]!.statements };
    };
    const small = await measure(await seed(2));
    const large = await measure(await seed(40));
    console.log(`captures read: ${large.statements} statements for 40, ${small.statements} for 2`);
    expect(large.statements).toBe(small.statements);
    expect(large.data.captures.totalCount).toBe(40);
    expect(large.data.captures.edges[0].node.suggestions[0].result).toMatchObject({ __typename: 'Task', title: 't39' });
  });

  it('limits a user to 60 captures a minute; a key replay does not count', async () => {
    const a = await s.register();
    for (let i = 0; i < 60; i++)
      await gql(a, `mutation { createCapture(input: { text: "n${i}", triage: false }) { id } }`);
    const limited = await s.fail(
      `mutation { createCapture(input: { text: "one more" }) { id } }`,
      {},
      { token: a.token },
    );
    expect(limited.extensions?.code).toBe('RATE_LIMITED');
    expect((await gql(a, `{ captures { totalCount } dashboard { inboxCount } }`)).captures.totalCount).toBe(60);
  });

  it('counts the inbox on the dashboard, exports captures, and takes them from the assistant (create_capture)', async () => {
    const a = await s.register();
    await createList(s, a, 'L');
    const first = (await gql(a, CREATE, { t: 'One' })).createCapture;
    await gql(a, `mutation { createCapture(input: { text: "Two", triage: false }) { id } }`);
    const done = (await gql(a, CREATE, { t: 'Three' })).createCapture;
    await gql(a, `mutation A($id: ID!) { rejectCaptureSuggestion(id: $id) { id } }`, { id: done.suggestions[0].id });
    expect((await gql(a, `{ dashboard { inboxCount } }`)).dashboard.inboxCount).toBe(2);
    const data = (await gql(a, `{ exportMyData }`)).exportMyData;
    expect(data.captures.map((c: any) => c.text).sort()).toEqual(['One', 'Three', 'Two']);
    expect(data.captureSuggestions.map((x: any) => x.captureId).sort()).toEqual([done.id, first.id].sort());
    const key = await apiKey(s, a, ['WRITE']);
    const res = await mcpRpc(s, key, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'create_capture', arguments: { text: 'From an agent tomorrow' } },
    });
    expect(res.status).toBe(200);
    const mine = (
      await gql(
        a,
        `{ captures(first: 1) { edges { node { source text status suggestions { draft { ... on TaskDraft { title dueAllDay } } } } } } }`,
      )
    ).captures.edges[0].node;
    expect(mine).toEqual({
      source: 'ASSISTANT',
      text: 'From an agent tomorrow',
      status: 'NEEDS_REVIEW',
      suggestions: [{ draft: { title: 'From an agent', dueAllDay: true } }],
    });
  });

  it('finds captures by text in search, for their owner only', async () => {
    const a = await s.register();
    const b = await s.register();
    await gql(
      a,
      `mutation { createCapture(input: { text: "Renew the car insurance\\nbefore March", triage: false }) { id } }`,
    );
    await gql(b, `mutation { createCapture(input: { text: "insurance for the boat", triage: false }) { id } }`);
    const Q = `{ search(query: "insurance", types: [CAPTURE]) { type title node { __typename ... on Capture { text } } } }`;
    expect((await gql(a, Q)).search).toEqual([
      {
        type: 'CAPTURE',
        title: 'Renew the car insurance',
        node: { __typename: 'Capture', text: 'Renew the car insurance\nbefore March' },
      },
    ]);
    expect((await gql(b, Q)).search.map((h: any) => h.title)).toEqual(['insurance for the boat']);
  });
});
