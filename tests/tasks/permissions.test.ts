import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities, notifications } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList, createTask, share } from './helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let owner: Account, editor: Account, viewer: Account, outsider: Account;
let listId: string;
let taskId: string;
let labelId: string;
beforeAll(async () => {
  s = await startServer();
  [owner, editor, viewer, outsider] = await Promise.all([s.register(), s.register(), s.register(), s.register()]);
  listId = await createList(s, owner, 'Shared');
  await share(s, owner, listId, editor.email, 'EDITOR');
  await share(s, owner, listId, viewer.email, 'VIEWER');
  taskId = await createTask(s, owner, listId, { title: 'Owned task' });
  labelId = (await s.ok(`mutation { createLabel(input: { name: "mine" }) { id } }`, {}, { token: owner.token }))
    .createLabel.id;
});
afterAll(() => closeAll(s));

const RANDOM = '00000000-0000-4000-8000-000000000001';
const code = async (who: Account, query: string, variables: Record<string, unknown> = {}) => {
  const res = await s.gql(query, variables, { token: who.token });
  return res.errors?.[0]?.extensions?.code ?? 'OK';
};

/** Every task operation, with the role it needs. */
const operations: Array<{
  name: string;
  q: string;
  vars: () => Record<string, unknown>;
  needs: 'VIEWER' | 'EDITOR' | 'OWNER';
}> = [
  {
    name: 'taskList',
    q: `query Q($id: ID!) { taskList(id: $id) { id } }`,
    vars: () => ({ id: listId }),
    needs: 'VIEWER',
  },
  { name: 'task', q: `query Q($id: ID!) { task(id: $id) { id } }`, vars: () => ({ id: taskId }), needs: 'VIEWER' },
  {
    name: 'updateTaskList',
    q: `mutation M($id: ID!) { updateTaskList(id: $id, input: { color: "#112233" }) { id } }`,
    vars: () => ({ id: listId }),
    needs: 'OWNER',
  },
  {
    name: 'shareTaskList',
    q: `mutation M($id: ID!) { shareTaskList(id: $id, email: "later@example.com", role: VIEWER) { id } }`,
    vars: () => ({ id: listId }),
    needs: 'OWNER',
  },
  {
    name: 'removeTaskListMember',
    q: `mutation M($id: ID!, $u: ID!) { removeTaskListMember(id: $id, userId: $u) { id } }`,
    vars: () => ({ id: listId, u: RANDOM }),
    needs: 'OWNER',
  },
  {
    name: 'createTask',
    q: `mutation M($id: ID!) { createTask(input: { listId: $id, title: "x" }) { id } }`,
    vars: () => ({ id: listId }),
    needs: 'EDITOR',
  },
  {
    name: 'updateTask',
    q: `mutation M($id: ID!) { updateTask(id: $id, input: { priority: HIGH }) { id } }`,
    vars: () => ({ id: taskId }),
    needs: 'EDITOR',
  },
  {
    name: 'moveTask',
    q: `mutation M($id: ID!) { moveTask(id: $id, position: 0) { id } }`,
    vars: () => ({ id: taskId }),
    needs: 'EDITOR',
  },
  {
    name: 'setTaskLabels',
    q: `mutation M($id: ID!) { setTaskLabels(taskId: $id, labelIds: []) { id } }`,
    vars: () => ({ id: taskId }),
    needs: 'EDITOR',
  },
];

describe('roles', () => {
  it.each(operations)(
    '$name: outsiders get NOT_FOUND, like a random or malformed id; lower roles FORBIDDEN',
    async (op) => {
      expect(await code(outsider, op.q, op.vars())).toBe('NOT_FOUND');
      for (const bad of [RANDOM, 'nope']) expect(await code(owner, op.q, { ...op.vars(), id: bad })).toBe('NOT_FOUND');
      const expected = (who: 'VIEWER' | 'EDITOR') =>
        op.needs === 'VIEWER' || (op.needs === 'EDITOR' && who === 'EDITOR') ? 'OK' : 'FORBIDDEN';
      expect(await code(viewer, op.q, op.vars())).toBe(expected('VIEWER'));
      expect(await code(editor, op.q, op.vars())).toBe(expected('EDITOR'));
    },
  );

  it('delete operations: outsiders NOT_FOUND, viewers FORBIDDEN, editors delete tasks, only the owner deletes the list', async () => {
    const t = await createTask(s, owner, listId, { title: 'to delete' });
    expect(await code(outsider, `mutation M($id: ID!) { deleteTask(id: $id) }`, { id: t })).toBe('NOT_FOUND');
    expect(await code(viewer, `mutation M($id: ID!) { deleteTask(id: $id) }`, { id: t })).toBe('FORBIDDEN');
    expect(await code(editor, `mutation M($id: ID!) { deleteTask(id: $id) }`, { id: t })).toBe('OK');
    expect(await code(owner, `query Q($id: ID!) { task(id: $id) { id } }`, { id: t })).toBe('NOT_FOUND');
    expect(await code(outsider, `mutation M($id: ID!) { deleteTaskList(id: $id) }`, { id: listId })).toBe('NOT_FOUND');
    expect(await code(editor, `mutation M($id: ID!) { deleteTaskList(id: $id) }`, { id: listId })).toBe('FORBIDDEN');
  });

  it("labels are private: another user's label is NOT_FOUND everywhere", async () => {
    expect(
      await code(outsider, `mutation M($id: ID!) { updateLabel(id: $id, input: { name: "x" }) { id } }`, {
        id: labelId,
      }),
    ).toBe('NOT_FOUND');
    expect(await code(outsider, `mutation M($id: ID!) { deleteLabel(id: $id) }`, { id: labelId })).toBe('NOT_FOUND');
    expect(
      await code(editor, `mutation M($t: ID!, $l: ID!) { setTaskLabels(taskId: $t, labelIds: [$l]) { id } }`, {
        t: taskId,
        l: labelId,
      }),
    ).toBe('NOT_FOUND');
    expect((await s.ok(`{ labels { id } }`, {}, { token: outsider.token })).labels).toEqual([]);
    // Attached by the owner, the label is visible on the task to every member.
    await s.ok(
      `mutation M($t: ID!, $l: ID!) { setTaskLabels(taskId: $t, labelIds: [$l]) { id } }`,
      { t: taskId, l: labelId },
      { token: owner.token },
    );
    const seen = await s.ok(
      `query Q($id: ID!) { task(id: $id) { labels { id name } } }`,
      { id: taskId },
      { token: viewer.token },
    );
    expect(seen.task.labels).toEqual([{ id: labelId, name: 'mine' }]);
  });

  it('lists and tasks of others never appear in taskLists, tasks or activities', async () => {
    const lists = (await s.ok(`{ taskLists { id myRole } }`, {}, { token: outsider.token })).taskLists;
    expect(lists).toEqual([]);
    expect((await s.ok(`{ tasks { totalCount } }`, {}, { token: outsider.token })).tasks.totalCount).toBe(0);
    expect(
      (await s.ok(`{ activities { edges { node { verb } } } }`, {}, { token: outsider.token })).activities.edges.map(
        (e: any) => e.node.verb,
      ),
    ).toEqual(['session.created', 'user.registered']);
    const roles = await s.ok(`{ taskLists { id myRole owner { id } } }`, {}, { token: viewer.token });
    expect(roles.taskLists).toEqual([{ id: listId, myRole: 'VIEWER', owner: { id: owner.userId } }]);
  });
});

describe('sharing', () => {
  it('adds members with a TASK_LIST_SHARED notification; sharing again changes the role', async () => {
    const friend = await s.register();
    const id = await createList(s, owner, 'Friends');
    await share(s, owner, id, friend.email, 'VIEWER');
    await share(s, owner, id, friend.email, 'EDITOR');
    const members = (
      await s.ok(
        `query Q($id: ID!) { taskList(id: $id) { members { role user { id } } } }`,
        { id },
        { token: friend.token },
      )
    ).taskList.members;
    expect(members).toEqual([
      { role: 'OWNER', user: { id: owner.userId } },
      { role: 'EDITOR', user: { id: friend.userId } },
    ]);
    const rows = await s.server.app.db.select().from(notifications).where(eq(notifications.userId, friend.userId));
    expect(rows.map((n) => n.kind)).toEqual(['TASK_LIST_SHARED', 'TASK_LIST_SHARED']);
    expect(s.outbox().filter((m) => m.to === friend.email && m.kind === 'list-shared')).toHaveLength(2);
    const bad = await s.fail(
      `mutation M($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: OWNER) { id } }`,
      { id, e: friend.email },
      { token: owner.token },
    );
    expect(bad.extensions?.fields).toEqual({ role: 'Share as EDITOR or VIEWER' });
  });

  it('remembers a share with an address that has no account and applies it on registration', async () => {
    const email = `future-${Date.now()}@example.com`;
    const id = await createList(s, owner, 'For later');
    await share(s, owner, id, email.toUpperCase(), 'EDITOR');
    const future = await s.register({ email });
    const lists = (await s.ok(`{ taskLists { id myRole } }`, {}, { token: future.token })).taskLists;
    expect(lists).toEqual([{ id, myRole: 'EDITOR' }]);
    await createTask(s, future, id, { title: 'first from newcomer' });
  });

  it('a member can leave; the owner cannot; removed members lose access and assignments', async () => {
    const member = await s.register();
    const id = await createList(s, owner, 'Leaving');
    await share(s, owner, id, member.email, 'EDITOR');
    const t = await createTask(s, owner, id, { assigneeId: member.userId });
    const LEAVE = `mutation M($id: ID!, $u: ID!) { removeTaskListMember(id: $id, userId: $u) { id } }`;
    expect((await s.fail(LEAVE, { id, u: owner.userId }, { token: owner.token })).extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    await s.ok(LEAVE, { id, u: member.userId }, { token: member.token });
    expect(
      (await s.fail(`query Q($id: ID!) { taskList(id: $id) { id } }`, { id }, { token: member.token })).extensions
        ?.code,
    ).toBe('NOT_FOUND');
    expect(
      (await s.ok(`query Q($id: ID!) { task(id: $id) { assignee { id } } }`, { id: t }, { token: owner.token })).task
        .assignee,
    ).toBeNull();
  });
});

describe('activity', () => {
  it('every mutation writes its activity row in its transaction, visible to list members', async () => {
    const id = await createList(s, owner, 'Audit');
    await share(s, owner, id, editor.email, 'EDITOR');
    const t = await createTask(s, editor, id, { title: 'audited' });
    await s.ok(
      `mutation M($id: ID!) { updateTask(id: $id, input: { status: DONE }) { id } }`,
      { id: t },
      { token: editor.token },
    );
    await s.ok(`mutation M($id: ID!) { moveTask(id: $id, position: 0) { id } }`, { id: t }, { token: editor.token });
    const rows = await s.server.app.db.select().from(activities).where(eq(activities.listId, id));
    expect(rows.map((r) => r.verb).sort()).toEqual([
      'list.created',
      'list.shared',
      'task.completed',
      'task.created',
      'task.moved',
    ]);
    const feed = (
      await s.ok(
        `{ activities(first: 5, entityType: "task") { edges { node { verb summary actor { id } } } } }`,
        {},
        { token: owner.token },
      )
    ).activities.edges.map((e: any) => e.node);
    expect(feed.slice(0, 3).map((n: any) => n.verb)).toEqual(['task.moved', 'task.completed', 'task.created']);
    expect(feed[2]).toMatchObject({ summary: 'Added "audited" to "Audit"', actor: { id: editor.userId } });
  });

  it('a failed mutation writes nothing', async () => {
    const before = (await s.server.app.db.select().from(activities)).length;
    const e = await s.fail(
      `mutation M($id: ID!) { createTask(input: { listId: $id, title: "x", assigneeId: "${outsider.userId}" }) { id } }`,
      { id: listId },
      { token: owner.token },
    );
    expect(e.extensions?.fields).toEqual({ assigneeId: 'The assignee must be a member of the list' });
    expect((await s.server.app.db.select().from(activities)).length).toBe(before);
  });
});
