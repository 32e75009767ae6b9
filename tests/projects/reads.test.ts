import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areas, labels, listMembers, projectSections, projects, taskLists, tasks } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { apiKey, mcpRpc } from '../assistant/agent-helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

/** A user with `n` projects in one area, 3 sections and `perProject` tasks each (rows written directly). */
async function seed(n: number, perProject: number): Promise<Account> {
  const a = await s.register();
  const db = s.server.app.db;
  const [list] = await db.insert(taskLists).values({ ownerId: a.userId, name: 'L', position: 0 }).returning();
  await db.insert(listMembers).values({ listId: list!.id, userId: a.userId, role: 'OWNER' });
  const [area] = await db.insert(areas).values({ ownerId: a.userId, name: 'Area', position: 0 }).returning();
  let position = 0;
  for (let p = 0; p < n; p++) {
    const [row] = await db
      .insert(projects)
      .values({ ownerId: a.userId, areaId: area!.id, name: `P${p}`, position: p })
      .returning();
    const secs = await db
      .insert(projectSections)
      .values([0, 1, 2].map((i) => ({ projectId: row!.id, name: `S${i}`, position: i })))
      .returning();
    await db.insert(tasks).values(
      Array.from({ length: perProject }, (_, i) => ({
        listId: list!.id,
        title: `t${p}.${i}`,
        position: position++,
        createdById: a.userId,
        projectId: row!.id,
        sectionId: secs[i % 3]!.id,
        status: i % 4 === 0 ? ('DONE' as const) : ('TODO' as const),
      })),
    );
  }
  await db.insert(labels).values({ ownerId: a.userId, name: 'x' });
  return a;
}

const NESTED = `{ areas { id projects { id } } projects { id area { name } sections { name } progress { total done percent }
  tasks(first: 20) { totalCount edges { node { id list { id } project { id } section { name } labels { id } } } } } }`;

describe('N+1-free project reads', () => {
  it('reads projects with area, sections, progress and tasks in the same statements for 2 and 20', async () => {
    const measure = async (who: Account) => {
      const { result, reports } = await s.reports(() => s.ok(NESTED, {}, { token: who.token }));
      return { data: result, statements: reports[0]!.statements };
    };
    const small = await measure(await seed(2, 4));
    const large = await measure(await seed(20, 30));
    console.log(`project read: ${large.statements} statements for 20×30, ${small.statements} for 2×4`);
    expect(large.statements).toBe(small.statements);
    // One per level: areas, their projects, projects, area, sections, progress, the tasks page, and per task its
    // list, project, section and labels (plus the viewer).
    expect(large.statements).toBeLessThanOrEqual(12);
    expect(large.data.projects).toHaveLength(20);
    expect(large.data.areas[0].projects).toHaveLength(20);
    const first = large.data.projects[0];
    expect(first.progress).toEqual({ total: 30, done: 8, percent: 26 });
    expect(first.tasks.totalCount).toBe(30);
    expect(first.tasks.edges).toHaveLength(20);
    expect(first.sections.map((x: any) => x.name)).toEqual(['S0', 'S1', 'S2']);
    expect(first.tasks.edges[0].node.project.id).toBe(first.id);
  });
});

describe('parseQuickAdd', () => {
  it("reads a line with the viewer's names and timezone, and saves nothing", async () => {
    const a = await s.register({ timezone: 'Asia/Tokyo' });
    const list = (
      await s.ok(`mutation { createTaskList(input: { name: "Home stuff" }) { id } }`, {}, { token: a.token })
    ).createTaskList.id;
    const project = (await s.ok(`mutation { createProject(input: { name: "Move" }) { id } }`, {}, { token: a.token }))
      .createProject.id;
    const label = (await s.ok(`mutation { createLabel(input: { name: "phone" }) { id } }`, {}, { token: a.token }))
      .createLabel.id;
    const Q = `query Q($t: String!) { parseQuickAdd(text: $t) { title notes dueAt dueAllDay listId projectId labelIds priority
      unknownNames tokens { kind text start end } } }`;
    const r = (
      await s.ok(
        Q,
        { t: 'Call landlord tomorrow #"home stuff" +move @phone @nope p2 // about the deposit' },
        { token: a.token },
      )
    ).parseQuickAdd;
    expect(r).toMatchObject({
      title: 'Call landlord @nope',
      notes: 'about the deposit',
      dueAllDay: true,
      listId: list,
      projectId: project,
      labelIds: [label],
      priority: 'HIGH',
      unknownNames: ['@nope'],
    });
    expect(r.tokens.map((t: any) => t.kind)).toEqual(['date', 'list', 'project', 'label', 'priority', 'notes']);
    // Tomorrow in Tokyo, 23:59:59 local (UTC+9).
    const tokyoDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(Date.now() + 86_400_000);
    expect(r.dueAt).toBe(new Date(`${tokyoDay}T23:59:59+09:00`).toISOString());
    // Nothing was created.
    expect((await s.ok(`{ tasks { totalCount } }`, {}, { token: a.token })).tasks.totalCount).toBe(0);
    // Empty or too long: BAD_USER_INPUT on text.
    for (const t of ['   ', 'x'.repeat(1001)])
      expect((await s.fail(Q, { t }, { token: a.token })).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { text: 'Text must be 1-1000 characters' },
      });
    // Another user's names are not read.
    const b = await s.register();
    const theirs = (await s.ok(Q, { t: 'x #"Home stuff" +move' }, { token: b.token })).parseQuickAdd;
    expect(theirs).toMatchObject({ listId: null, projectId: null, unknownNames: ['#"Home stuff"', '+move'] });
  });
});

describe('project tools', () => {
  it('create_project (WRITE) and list_projects (READ) over MCP', async () => {
    const a = await s.register();
    const call = (id: number, name: string, args: Record<string, unknown>) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    const writer = await apiKey(s, a, ['WRITE']);
    const made = await mcpRpc(s, writer, call(1, 'create_project', { name: 'Garden', dueDate: '2027-05-01' }));
    expect(made.status).toBe(200);
    const projects = (await s.ok(`{ projects { name dueDate } }`, {}, { token: a.token })).projects;
    expect(projects).toEqual([{ name: 'Garden', dueDate: '2027-05-01' }]);
    const reader = await apiKey(s, a, ['READ']);
    const listed = await mcpRpc(s, reader, call(2, 'list_projects', {}));
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('Garden');
    const refused = await mcpRpc(s, reader, call(3, 'create_project', { name: 'Nope' }));
    expect(await refused.text()).toContain('FORBIDDEN: this API key may only read');
    expect((await s.ok(`{ projects { name } }`, {}, { token: a.token })).projects).toHaveLength(1);
  });
});
