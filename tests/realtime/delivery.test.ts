import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifications } from '../../src/modules/notifications/index.js';
import { publish } from '../../src/shared/event-bus.js';
import { sendSentinel } from '../helpers/sentinel.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { subscribed, wsClient } from '../helpers/ws.js';
import { createList, createTask, share } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const NOTIFY = `subscription N($after: ID) { notificationAdded(after: $after) { id kind title entityId } }`;
const LIST = `subscription L($id: ID!) { taskListChanged(listId: $id) { kind taskId task { id title list { id } labels { id } } actor { id } } }`;

describe('notificationAdded', () => {
  it('delivers new notifications live, to their user only', async () => {
    const owner = await s.register();
    const [a, b] = [await s.register(), await s.register()];
    const ca = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const cb = wsClient(s.url, { authorization: `Bearer ${b.token}` });
    const sa = ca.subscribe(NOTIFY);
    const sb = cb.subscribe(NOTIFY);
    await subscribed(s, `notification:${a.userId}`);
    await subscribed(s, `notification:${b.userId}`);
    const list = await createList(s, owner, 'Groceries');
    await share(s, owner, list, a.email, 'EDITOR');
    const got = (await sa.nth(1)).notificationAdded;
    expect(got).toMatchObject({ kind: 'TASK_LIST_SHARED', entityId: list });
    expect(got.title).toContain('Groceries');
    // b's first event is a sentinel written after the share: the share never reached b.
    const sentinel = await sendSentinel(s, b.userId);
    expect((await sb.nth(1)).notificationAdded.title).toBe(sentinel);
    await ca.dispose();
    await cb.dispose();
  });

  it("reaches every connection of the user (tabs), each with its own subscription's fields", async () => {
    const owner = await s.register();
    const a = await s.register();
    const tabs = [1, 2, 3].map(() => wsClient(s.url, { authorization: `Bearer ${a.token}` }));
    const same = tabs.map((t) => t.subscribe(NOTIFY));
    const other = tabs[0]!.subscribe(`subscription { notificationAdded { kind readAt } }`);
    await subscribed(s, `notification:${a.userId}`, 4);
    await share(s, owner, await createList(s, owner, 'Tabs'), a.email, 'VIEWER');
    const got = await Promise.all(same.map((x) => x.nth(1)));
    expect(new Set(got.map((g) => JSON.stringify(g))).size).toBe(1);
    expect((await other.nth(1)).notificationAdded).toEqual({ kind: 'TASK_LIST_SHARED', readAt: null });
    for (const t of tabs) await t.dispose();
  });

  it('replays what came after `after`, then goes live, with no gap and no duplicate', async () => {
    const owner = await s.register();
    const a = await s.register();
    const lists = [];
    for (let i = 0; i < 3; i++) {
      const id = await createList(s, owner, `L${i}`);
      await share(s, owner, id, a.email, 'VIEWER');
      lists.push(id);
    }
    const seen = await s.ok(`{ notifications(first: 10) { edges { node { id entityId } } } }`, {}, { token: a.token });
    const oldestFirst = seen.notifications.edges.map((e: any) => e.node).reverse();
    expect(oldestFirst.map((n: any) => n.entityId)).toEqual(lists);

    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const sub = c.subscribe(NOTIFY, { after: oldestFirst[0].id });
    // More notifications race the replay: each must arrive exactly once, in order.
    const more = [];
    for (let i = 0; i < 4; i++) {
      const id = await createList(s, owner, `M${i}`);
      await share(s, owner, id, a.email, 'VIEWER');
      more.push(id);
    }
    await sub.nth(6);
    const sentinel = await sendSentinel(s, a.userId);
    expect((await sub.nth(7)).notificationAdded.title).toBe(sentinel);
    const delivered = sub.values.slice(0, 6).map((v) => v.notificationAdded.entityId);
    expect(delivered).toEqual([lists[1], lists[2], ...more]);
    await c.dispose();
  });

  it('never sends the `after` notification or an older one, even when the bus delivers it late', async () => {
    const owner = await s.register();
    const a = await s.register();
    const lists = [];
    for (let i = 0; i < 2; i++) {
      const id = await createList(s, owner, `Late${i}`);
      await share(s, owner, id, a.email, 'VIEWER');
      lists.push(id);
    }
    const seen = await s.ok(`{ notifications(first: 10) { edges { node { id } } } }`, {}, { token: a.token });
    const [newest, older] = seen.notifications.edges.map((e: any) => e.node.id as string);
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const sub = c.subscribe(NOTIFY, { after: newest });
    await subscribed(s, `notification:${a.userId}`);
    // Events of both, as a lagging bus would hand them over after the subscription began.
    await s.server.app.db.transaction(async (tx) => {
      await publish(tx, { topic: 'notification', userId: a.userId, id: older! });
      await publish(tx, { topic: 'notification', userId: a.userId, id: newest! });
    });
    const sentinel = await sendSentinel(s, a.userId);
    expect((await sub.nth(1)).notificationAdded.title).toBe(sentinel);
    await c.dispose();
  });

  it('sends nothing for a rolled-back transaction', async () => {
    const a = await s.register();
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const sub = c.subscribe(NOTIFY);
    await subscribed(s, `notification:${a.userId}`);
    await expect(
      s.server.app.db.transaction(async (tx) => {
        await createNotifications(tx, [{ userId: a.userId, kind: 'SECURITY_ALERT', title: 'rolled back' }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await s.server.app.db.transaction((tx) =>
      createNotifications(tx, [{ userId: a.userId, kind: 'SECURITY_ALERT', title: 'committed' }]),
    );
    expect((await sub.nth(1)).notificationAdded.title).toBe('committed');
    const sentinel = await sendSentinel(s, a.userId);
    expect((await sub.nth(2)).notificationAdded.title).toBe(sentinel);
    const stored = await s.ok(`{ notifications(first: 10) { edges { node { title } } } }`, {}, { token: a.token });
    expect(stored.notifications.edges.map((e: any) => e.node.title)).toEqual([sentinel, 'committed']);
    await c.dispose();
  });
});

describe('taskListChanged', () => {
  it('tells every member about CREATED, UPDATED and DELETED tasks, resolved for them', async () => {
    const owner = await s.register();
    const member = await s.register();
    const list = await createList(s, owner, 'Live');
    await share(s, owner, list, member.email, 'VIEWER');
    const c = wsClient(s.url, { authorization: `Bearer ${member.token}` });
    const sub = c.subscribe(LIST, { id: list });
    await subscribed(s, `task:${list}`);
    // Each event is resolved when it is delivered, so each is awaited before the next change: an
    // event delivered after the task was deleted says DELETED (task null), whatever its kind was.
    const t = await createTask(s, owner, list, { title: 'first' });
    await sub.nth(1);
    await s.ok(
      `mutation U($id: ID!) { updateTask(id: $id, input: { title: "renamed" }) { id } }`,
      { id: t },
      { token: owner.token },
    );
    await sub.nth(2);
    await s.ok(`mutation D($id: ID!) { deleteTask(id: $id) }`, { id: t }, { token: owner.token });
    await sub.nth(3);
    const changes = sub.values.map((v) => v.taskListChanged);
    expect(changes.map((x) => x.kind)).toEqual(['CREATED', 'UPDATED', 'DELETED']);
    expect(changes[0]).toMatchObject({ taskId: t, actor: { id: owner.userId } });
    expect(changes[2]).toEqual({ kind: 'DELETED', taskId: t, task: null, actor: { id: owner.userId } });
    await c.dispose();
  });

  it('stops delivering to a member removed from the list', async () => {
    const owner = await s.register();
    const member = await s.register();
    const list = await createList(s, owner, 'Revocable');
    await share(s, owner, list, member.email, 'VIEWER');
    const c = wsClient(s.url, { authorization: `Bearer ${member.token}` });
    const sub = c.subscribe(LIST, { id: list });
    await subscribed(s, `task:${list}`);
    await createTask(s, owner, list, { title: 'seen' });
    await sub.nth(1);
    await s.ok(
      `mutation R($id: ID!, $u: ID!) { removeTaskListMember(id: $id, userId: $u) { id } }`,
      { id: list, u: member.userId },
      { token: owner.token },
    );
    await createTask(s, owner, list, { title: 'not seen' });
    await sub.completed;
    expect(sub.values).toHaveLength(1);
    await c.dispose();
  });
});

describe('shutdown', () => {
  it('closes sockets with 1001', async () => {
    const own = await startServer();
    const a = await own.register();
    const c = wsClient(own.url, { authorization: `Bearer ${a.token}` });
    c.subscribe(NOTIFY);
    await subscribed(own, `notification:${a.userId}`);
    expect(own.server.socketCount()).toBe(1);
    await own.close();
    expect((await c.closed).code).toBe(1001);
  });

  it('lets a delivery under way reach its subscriber before closing with 1001', async () => {
    const own = await startServer();
    const owner = await own.register();
    const list = await createList(own, owner, 'Last words');
    const c = wsClient(own.url, { authorization: `Bearer ${owner.token}` });
    const sub = c.subscribe(LIST, { id: list });
    await subscribed(own, `task:${list}`);
    // Shut down at the moment the event reaches this replica: the subscription has just received it
    // and still has to read the task (database) and send it.
    let stopping: Promise<void> | undefined;
    own.server.app.bus.on(`task:${list}`, () => void (stopping ??= own.close()));
    await createTask(own, owner, list, { title: 'in flight' });
    expect((await c.closed).code).toBe(1001);
    await stopping;
    expect(sub.values).toHaveLength(1);
    expect(sub.values[0].taskListChanged).toMatchObject({ kind: 'CREATED', task: { title: 'in flight' } });
  });
});

describe('retention', () => {
  it('keeps notifications for 30 days', async () => {
    const { notifications } = await import('../../src/db/schema/index.js');
    const { sweep } = await import('../../src/ops/maintenance.js');
    const { eq, sql } = await import('drizzle-orm');
    const a = await s.register();
    const db = s.server.app.db;
    await db.insert(notifications).values([
      { userId: a.userId, kind: 'SECURITY_ALERT', title: 'old', createdAt: sql`now() - interval '31 days'` as never },
      {
        userId: a.userId,
        kind: 'SECURITY_ALERT',
        title: 'recent',
        createdAt: sql`now() - interval '29 days'` as never,
      },
    ]);
    await sweep(s.server.app);
    const left = await db
      .select({ title: notifications.title })
      .from(notifications)
      .where(eq(notifications.userId, a.userId));
    expect(left).toEqual([{ title: 'recent' }]);
  });
});
