import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labels, listMembers, taskLabels, taskLists, tasks } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

/** Seeds lists × tasks × labels for a new user (rows written directly: this test measures reads). */
async function seed(lists: number, perList: number, labelsPerTask: number): Promise<Account> {
  const owner = await s.register();
  const member = await s.register();
  const db = s.server.app.db;
  const labelRows = await db
    .insert(labels)
    .values(Array.from({ length: labelsPerTask }, (_, i) => ({ ownerId: owner.userId, name: `label ${i}` })))
    .returning();
  for (let l = 0; l < lists; l++) {
    const [list] = await db
      .insert(taskLists)
      .values({ ownerId: owner.userId, name: `list ${l}`, position: l })
      .returning();
    await db.insert(listMembers).values([
      { listId: list!.id, userId: owner.userId, role: 'OWNER' },
      { listId: list!.id, userId: member.userId, role: 'EDITOR' },
    ]);
    const rows = await db
      .insert(tasks)
      .values(
        Array.from({ length: perList }, (_, i) => ({
          listId: list!.id,
          title: `task ${i}`,
          position: i,
          createdById: owner.userId,
          assigneeId: i % 2 ? member.userId : null,
        })),
      )
      .returning({ id: tasks.id });
    await db
      .insert(taskLabels)
      .values(rows.flatMap((t) => labelRows.map((lab) => ({ taskId: t.id, labelId: lab.id }))));
  }
  return owner;
}

const NESTED = `query Nested { taskLists { id tasks(first: 50) { edges { node { id labels { id } assignee { id } createdBy { id } } } } members { user { id } } } }`;

async function measure(owner: Account) {
  const { result, reports } = await s.reports(() => s.ok(NESTED, {}, { token: owner.token }));
  expect(reports).toHaveLength(1);
  return { data: result, statements: reports[0]!.statements };
}

describe('N+1-free loading', () => {
  it('runs the nested task query in the same small number of statements for 2×2 and 20×50×3', async () => {
    const small = await measure(await seed(2, 2, 3));
    const large = await measure(await seed(20, 50, 3));
    expect(small.data.taskLists).toHaveLength(2);
    expect(large.data.taskLists).toHaveLength(20);
    const edges = large.data.taskLists.flatMap((l: any) => l.tasks.edges);
    expect(edges).toHaveLength(1000);
    expect(edges.every((e: any) => e.node.labels.length === 3 && e.node.createdBy.id)).toBe(true);
    expect(edges.filter((e: any) => e.node.assignee).length).toBe(500);
    expect(large.statements).toBeLessThanOrEqual(8);
    expect(large.statements).toBe(small.statements);
    console.log(`nested query: ${large.statements} statements for 20×50×3, ${small.statements} for 2×2×3`);
  });
});
