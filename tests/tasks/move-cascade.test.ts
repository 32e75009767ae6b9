import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, tasks } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList, createTask, positions, share } from './helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let owner: Account;
beforeAll(async () => {
  s = await startServer();
  owner = await s.register();
});
afterAll(() => closeAll(s));

const MOVE = `mutation M($id: ID!, $list: ID, $p: Int!) { moveTask(id: $id, listId: $list, position: $p) { id position list { id } } }`;
const dense = (ps: Array<{ position: number }>) => ps.map((p) => p.position);

describe('moveTask', () => {
  it('moves within a list and across lists, renumbering both densely', async () => {
    const a = await createList(s, owner, 'from');
    const b = await createList(s, owner, 'to');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await createTask(s, owner, a, { title: `t${i}` }));
    await s.ok(MOVE, { id: ids[4], p: 0 }, { token: owner.token });
    expect((await positions(s, owner, a)).map((p) => p.id)).toEqual([ids[4], ids[0], ids[1], ids[2], ids[3]]);
    await s.ok(MOVE, { id: ids[4], p: 99 }, { token: owner.token });
    expect((await positions(s, owner, a)).map((p) => p.id)).toEqual(ids);
    const moved = (await s.ok(MOVE, { id: ids[1], list: b, p: 0 }, { token: owner.token })).moveTask;
    expect(moved).toEqual({ id: ids[1], position: 0, list: { id: b } });
    expect(dense(await positions(s, owner, a))).toEqual([0, 1, 2, 3]);
    expect(dense(await positions(s, owner, b))).toEqual([0]);
  });

  it('keeps positions dense under 20 concurrent moves', async () => {
    const a = await createList(s, owner, 'busy');
    const b = await createList(s, owner, 'other');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await createTask(s, owner, a, { title: `c${i}` }));
    const results = await Promise.all(
      ids.map((id, i) => s.gql(MOVE, { id, list: i % 4 === 0 ? b : null, p: (i * 7) % 20 }, { token: owner.token })),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    const pa = await positions(s, owner, a);
    const pb = await positions(s, owner, b);
    expect(dense(pa)).toEqual([...Array(pa.length).keys()]);
    expect(dense(pb)).toEqual([...Array(pb.length).keys()]);
    expect(pa.length + pb.length).toBe(20);
    expect(pb.length).toBe(5);
  });

  it('needs editor rights on the target list too', async () => {
    const other = await s.register();
    const theirs = await createList(s, other, 'theirs');
    await share(s, other, theirs, owner.email, 'VIEWER');
    const mine = await createList(s, owner, 'mine');
    const t = await createTask(s, owner, mine);
    expect((await s.fail(MOVE, { id: t, list: theirs, p: 0 }, { token: owner.token })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    const hidden = await createList(s, other, 'hidden');
    expect((await s.fail(MOVE, { id: t, list: hidden, p: 0 }, { token: owner.token })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(dense(await positions(s, owner, mine))).toEqual([0]);
  });
});

describe('assignment', () => {
  it('assignee must be a member; assigning notifies them (not yourself)', async () => {
    const member = await s.register();
    const list = await createList(s, owner, 'assign');
    await share(s, owner, list, member.email, 'VIEWER');
    const t = await createTask(s, owner, list, { assigneeId: member.userId });
    await createTask(s, owner, list, { assigneeId: owner.userId });
    const rows = await s.server.app.db.select().from(notifications).where(eq(notifications.userId, member.userId));
    expect(rows.map((r) => [r.kind, r.entityId])).toContainEqual(['TASK_ASSIGNED', t]);
    expect(
      (await s.server.app.db.select().from(notifications).where(eq(notifications.userId, owner.userId))).filter(
        (n) => n.kind === 'TASK_ASSIGNED',
      ),
    ).toEqual([]);
  });
});

describe('cascades', () => {
  it('deleting a list deletes its tasks; deleting a label detaches it; positions close up after deleteTask', async () => {
    const list = await createList(s, owner, 'doomed');
    const label = (await s.ok(`mutation { createLabel(input: { name: "temp" }) { id } }`, {}, { token: owner.token }))
      .createLabel.id;
    const t1 = await createTask(s, owner, list, { labelIds: [label] });
    const t2 = await createTask(s, owner, list);
    await createTask(s, owner, list);
    await s.ok(`mutation M($id: ID!) { deleteTask(id: $id) }`, { id: t2 }, { token: owner.token });
    expect(dense(await positions(s, owner, list))).toEqual([0, 1]);
    expect(
      (await s.ok(`mutation M($id: ID!) { deleteLabel(id: $id) }`, { id: label }, { token: owner.token })).deleteLabel,
    ).toBe(label);
    expect(
      (await s.ok(`query Q($id: ID!) { task(id: $id) { labels { id } } }`, { id: t1 }, { token: owner.token })).task
        .labels,
    ).toEqual([]);
    expect(
      (await s.ok(`mutation M($id: ID!) { deleteTaskList(id: $id) }`, { id: list }, { token: owner.token }))
        .deleteTaskList,
    ).toBe(list);
    expect(await s.server.app.db.select().from(tasks).where(eq(tasks.listId, list))).toEqual([]);
  });

  it("deleting an account deletes the lists it owns and its memberships; its tasks in others' lists stay", async () => {
    const leaver = await s.register();
    const keeper = await s.register();
    const own = await createList(s, leaver, 'leaver list');
    await share(s, leaver, own, keeper.email, 'EDITOR');
    const shared = await createList(s, keeper, 'keeper list');
    await share(s, keeper, shared, leaver.email, 'EDITOR');
    const kept = await createTask(s, leaver, shared, { title: 'written by leaver', assigneeId: leaver.userId });
    await s.ok(`mutation D($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, { token: leaver.token });
    const lists = (await s.ok(`{ taskLists { id members { user { id } } } }`, {}, { token: keeper.token })).taskLists;
    expect(lists).toEqual([{ id: shared, members: [{ user: { id: keeper.userId } }] }]);
    const task = (
      await s.ok(
        `query Q($id: ID!) { task(id: $id) { title assignee { id } createdBy { id } } }`,
        { id: kept },
        { token: keeper.token },
      )
    ).task;
    expect(task).toEqual({ title: 'written by leaver', assignee: null, createdBy: { id: keeper.userId } });
  });
});
