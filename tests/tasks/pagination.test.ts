import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList, createTask, share } from './helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let owner: Account, member: Account;
let listA: string, listB: string;
const labels: Record<string, string> = {};
const created: Array<{
  id: string;
  title: string;
  priority: string;
  dueAt: string | null;
  status: string;
  list: string;
}> = [];

beforeAll(async () => {
  s = await startServer();
  [owner, member] = await Promise.all([s.register(), s.register()]);
  listA = await createList(s, owner, 'A');
  listB = await createList(s, owner, 'B');
  await share(s, owner, listA, member.email, 'EDITOR');
  for (const name of ['red', 'blue'])
    labels[name] = (
      await s.ok(
        `mutation L($n: String!) { createLabel(input: { name: $n }) { id } }`,
        { n: name },
        { token: owner.token },
      )
    ).createLabel.id;
  // Ties on purpose: three priorities and three due dates over 13 tasks.
  const priorities = ['LOW', 'HIGH', 'URGENT'];
  const dues = ['2026-12-01T10:00:00.000Z', null, '2026-11-30T10:00:00.000Z'];
  for (let i = 0; i < 13; i++) {
    const list = i % 4 === 3 ? listB : listA;
    const fields = {
      title: i % 5 === 0 ? `Buy milk ${i}` : `Task ${i}`,
      notes: i === 7 ? 'remember the MILK' : null,
      priority: priorities[i % 3]!,
      dueAt: dues[i % 3],
      status: i % 6 === 0 ? 'DONE' : i % 6 === 1 ? 'IN_PROGRESS' : 'TODO',
      assigneeId: i % 2 === 0 ? member.userId : null,
      labelIds: i % 3 === 0 ? [labels.red, labels.blue] : i % 3 === 1 ? [labels.red] : [],
    };
    if (list === listB) fields.assigneeId = null;
    const id = await createTask(s, owner, list, fields);
    created.push({
      id,
      title: fields.title,
      priority: fields.priority,
      dueAt: fields.dueAt!,
      status: fields.status,
      list,
    });
  }
});
afterAll(() => closeAll(s));

const PAGE = `query P($first: Int, $after: String, $filter: TaskFilter, $orderBy: TaskOrder) {
  tasks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount edges { cursor node { id position priority dueAt createdAt updatedAt status } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

async function walk(vars: Record<string, unknown>, size: number) {
  const ids: string[] = [];
  const nodes: any[] = [];
  let after: string | null = null;
  let total = -1;
  for (let guard = 0; guard < 50; guard++) {
    const page: any = (await s.ok(PAGE, { ...vars, first: size, after }, { token: owner.token })).tasks;
    total = page.totalCount;
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    nodes.push(...page.edges.map((e: any) => e.node));
    ids.push(...page.edges.map((e: any) => e.node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { ids, nodes, total };
}

const rank: Record<string, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, URGENT: 3 };

describe('tasks connection', () => {
  const orders = ['POSITION', 'DUE_AT', 'PRIORITY', 'CREATED_AT', 'UPDATED_AT'];
  for (const field of orders) {
    for (const direction of ['ASC', 'DESC']) {
      it(`pages through ${field} ${direction} without gaps or repeats, in order`, async () => {
        const all = await walk({ orderBy: { field, direction } }, 100);
        const paged = await walk({ orderBy: { field, direction } }, 3);
        expect(paged.ids).toEqual(all.ids);
        expect(new Set(paged.ids).size).toBe(13);
        expect(paged.total).toBe(13);
        const key = (n: any) => {
          if (field === 'PRIORITY') return rank[n.priority];
          if (field === 'POSITION') return n.position;
          const v = n[{ DUE_AT: 'dueAt', CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt' }[field]!];
          return v === null ? null : Date.parse(v);
        };
        const values = all.nodes.map(key);
        const nonNull = values.filter((v) => v !== null);
        const sorted = [...nonNull].sort((a, b) => (direction === 'ASC' ? a - b : b - a));
        expect(nonNull).toEqual(sorted);
        // Nulls come last in both directions.
        const firstNull = values.indexOf(null);
        if (firstNull >= 0) expect(values.slice(firstNull).every((v) => v === null)).toBe(true);
      });
    }
  }

  it('filters by status, priority, all given labels, assignee, due range and text; totalCount counts the whole filtered set', async () => {
    const count = async (filter: Record<string, unknown>) =>
      (await s.ok(PAGE, { filter, first: 2 }, { token: owner.token })).tasks.totalCount;
    expect(await count({ status: ['DONE'] })).toBe(created.filter((t) => t.status === 'DONE').length);
    expect(await count({ status: ['TODO', 'IN_PROGRESS'], priority: ['URGENT'] })).toBe(
      created.filter((t) => t.status !== 'DONE' && t.priority === 'URGENT').length,
    );
    expect(await count({ labelIds: [labels.red, labels.blue] })).toBe(created.filter((_, i) => i % 3 === 0).length);
    expect(await count({ labelIds: [labels.red] })).toBe(created.filter((_, i) => i % 3 !== 2).length);
    expect(await count({ labelIds: [labels.red, '00000000-0000-4000-8000-000000000009'] })).toBe(0);
    expect(await count({ assigneeId: member.userId })).toBe(
      created.filter((t, i) => i % 2 === 0 && t.list === listA).length,
    );
    expect(await count({ dueBefore: '2026-12-01T00:00:00Z' })).toBe(
      created.filter((t) => t.dueAt === '2026-11-30T10:00:00.000Z').length,
    );
    expect(await count({ dueAfter: '2026-12-01T00:00:00Z' })).toBe(
      created.filter((t) => t.dueAt === '2026-12-01T10:00:00.000Z').length,
    );
    expect(await count({ search: 'milk' })).toBe(created.filter((t) => /milk/i.test(t.title)).length + 1);
    expect(await count({ search: '%' })).toBe(0);
  });

  it('TaskList.tasks pages per list; openTaskCount counts TODO and IN_PROGRESS', async () => {
    const res = await s.ok(
      `query Q($id: ID!) { taskList(id: $id) { openTaskCount tasks(first: 2) { totalCount edges { node { position } } } } }`,
      { id: listA },
      { token: owner.token },
    );
    const inA = created.filter((t) => t.list === listA);
    expect(res.taskList.tasks.totalCount).toBe(inA.length);
    expect(res.taskList.tasks.edges.map((e: any) => e.node.position)).toEqual([0, 1]);
    expect(res.taskList.openTaskCount).toBe(inA.filter((t) => t.status !== 'DONE').length);
    // The member sees only list A.
    expect((await s.ok(PAGE, { first: 100 }, { token: member.token })).tasks.totalCount).toBe(inA.length);
  });

  it('rejects first over 100 or negative, and a forged cursor, with BAD_USER_INPUT', async () => {
    for (const vars of [{ first: 101 }, { first: -1 }, { first: 5, after: 'bm90LWpzb24' }]) {
      expect((await s.fail(PAGE, vars, { token: owner.token })).extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await s.ok(PAGE, { first: 0 }, { token: owner.token })).tasks).toMatchObject({
      totalCount: 13,
      edges: [],
      pageInfo: { hasNextPage: true },
    });
  });

  it('a cursor past the end gives an empty page with the right totalCount', async () => {
    const last = await walk({ orderBy: { field: 'POSITION', direction: 'ASC' } }, 100);
    const lastNode = last.nodes.at(-1);
    const cursor = Buffer.from(JSON.stringify([lastNode.position, lastNode.id])).toString('base64url');
    const page = (
      await s.ok(
        PAGE,
        { first: 5, after: cursor, orderBy: { field: 'POSITION', direction: 'ASC' } },
        { token: owner.token },
      )
    ).tasks;
    expect(page).toMatchObject({ totalCount: 13, edges: [], pageInfo: { hasNextPage: false } });
  });
});

describe('task rules', () => {
  it('sets completedAt on DONE and clears it when the task leaves DONE; validates title and notes', async () => {
    const t = await createTask(s, owner, listB, { title: 'finish' });
    const UPDATE = `mutation U($id: ID!, $input: UpdateTaskInput!) { updateTask(id: $id, input: $input) { status completedAt title } }`;
    const done = (await s.ok(UPDATE, { id: t, input: { status: 'DONE' } }, { token: owner.token })).updateTask;
    expect(done.completedAt).not.toBeNull();
    const back = (await s.ok(UPDATE, { id: t, input: { status: 'IN_PROGRESS' } }, { token: owner.token })).updateTask;
    expect(back.completedAt).toBeNull();
    const e = await s.fail(UPDATE, { id: t, input: { title: ' ', notes: 'x'.repeat(20_001) } }, { token: owner.token });
    expect(Object.keys(e.extensions?.fields as object).sort()).toEqual(['notes', 'title']);
    const long = await s.fail(
      `mutation C($l: ID!, $t: String!) { createTask(input: { listId: $l, title: $t }) { id } }`,
      { l: listB, t: 'x'.repeat(501) },
      { token: owner.token },
    );
    expect(long.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
