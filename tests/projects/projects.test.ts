import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { createList, createTask, positions, share } from '../tasks/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const gql = (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  s.ok(query, variables, { token: who.token });
const fail = async (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  (await s.fail(query, variables, { token: who.token })).extensions;
const project = async (who: Account, input: Record<string, unknown>) =>
  (
    await gql(who, `mutation C($i: CreateProjectInput!) { createProject(input: $i) { id position status } }`, {
      i: input,
    })
  ).createProject;
const section = async (who: Account, projectId: string, name: string) =>
  (
    await gql(who, `mutation S($p: ID!, $n: String!) { createProjectSection(projectId: $p, name: $n) { id } }`, {
      p: projectId,
      n: name,
    })
  ).createProjectSection.id as string;
const UPDATE_TASK = `mutation U($id: ID!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { id dueAt dueAllDay project { id } section { id } } }`;
const PROJECT = `query P($id: ID!, $s: ID) { project(id: $id) { id name status completedAt archivedAt area { id name }
  sections { id name position } progress { total done percent }
  tasks(first: 50, sectionId: $s) { totalCount edges { node { id title } } } } }`;

describe('projects', () => {
  it('creates, orders, updates and checks its fields', async () => {
    const a = await s.register();
    const first = await project(a, { name: 'Move house', dueDate: '2027-01-31', startDate: '2026-12-01' });
    const second = await project(a, { name: 'Learn Go', status: 'PLANNED' });
    expect([first.position, second.position, first.status, second.status]).toEqual([0, 1, 'ACTIVE', 'PLANNED']);
    expect(
      await fail(
        a,
        `mutation { createProject(input: { name: " ", dueDate: "2026-01-01", startDate: "2026-02-01" }) { id } }`,
      ),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { name: expect.any(String), dueDate: expect.any(String) },
    });
    expect(await fail(a, `mutation { createProject(input: { name: "x", color: "red" }) { id } }`)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { color: 'Color must be #RRGGBB' },
    });
    // A later start than the stored due date is refused too.
    expect(
      await fail(a, `mutation U($id: ID!) { updateProject(id: $id, input: { startDate: "2027-02-01" }) { id } }`, {
        id: first.id,
      }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', fields: { dueDate: expect.any(String) } });
    const moved = await gql(
      a,
      `mutation U($id: ID!) { updateProject(id: $id, input: { position: 0, status: COMPLETED }) { position completedAt } }`,
      { id: second.id },
    );
    expect(moved.updateProject.position).toBe(0);
    expect(moved.updateProject.completedAt).not.toBeNull();
    const reopened = await gql(
      a,
      `mutation U($id: ID!) { updateProject(id: $id, input: { status: ACTIVE }) { completedAt } }`,
      {
        id: second.id,
      },
    );
    expect(reopened.updateProject.completedAt).toBeNull();
    await project(a, { name: 'Someday', status: 'PAUSED' });
    const dash = (await gql(a, `{ dashboard { activeProjects { name } } }`)).dashboard;
    expect(dash.activeProjects).toEqual([{ name: 'Learn Go' }, { name: 'Move house' }]);
    const names = (await gql(a, `{ projects(status: [ACTIVE, PLANNED]) { name position } }`)).projects;
    expect(names).toEqual([
      { name: 'Learn Go', position: 0 },
      { name: 'Move house', position: 1 },
    ]);
    const verbs = await s.server.app.db
      .select({ verb: activities.verb })
      .from(activities)
      .where(and(eq(activities.actorId, a.userId), eq(activities.entityType, 'project')));
    expect(verbs.map((v) => v.verb).sort()).toEqual([
      'project.created',
      'project.created',
      'project.created',
      'project.updated',
      'project.updated',
    ]);
  });

  it("keeps projects, areas and sections personal: another's is NOT_FOUND; a READ key cannot write", async () => {
    const a = await s.register();
    const b = await s.register();
    const p = await project(a, { name: 'Secret' });
    const sec = await section(a, p.id, 'Phase 1');
    const area = (await gql(a, `mutation { createArea(name: "Work") { id } }`)).createArea.id;
    for (const [q, v] of [
      [`query Q($id: ID!) { project(id: $id) { id } }`, { id: p.id }],
      [`mutation Q($id: ID!) { updateProject(id: $id, input: { name: "x" }) { id } }`, { id: p.id }],
      [`mutation Q($id: ID!) { deleteProject(id: $id) }`, { id: p.id }],
      [`mutation Q($id: ID!) { archiveProject(id: $id) { id } }`, { id: p.id }],
      [`mutation Q($id: ID!) { updateProjectSection(id: $id, name: "x") { id } }`, { id: sec }],
      [`mutation Q($id: ID!) { deleteProjectSection(id: $id) }`, { id: sec }],
      [`mutation Q($id: ID!) { createProjectSection(projectId: $id, name: "x") { id } }`, { id: p.id }],
      [`mutation Q($id: ID!) { updateArea(id: $id, name: "x") { id } }`, { id: area }],
      [`mutation Q($id: ID!) { deleteArea(id: $id) }`, { id: area }],
      [`mutation Q($id: ID!) { createProject(input: { name: "x", areaId: $id }) { id } }`, { id: area }],
      [`query Q($id: ID!) { project(id: $id) { id } }`, { id: 'not-a-uuid' }],
    ] as const)
      expect((await fail(b, q, v))?.code, q).toBe('NOT_FOUND');
    expect((await gql(b, `{ projects { id } areas { id } }`)).projects).toEqual([]);
    const key = (await gql(a, `mutation { createApiKey(input: { name: "r", scopes: [READ] }) { secret } }`))
      .createApiKey.secret;
    const read = await s.fail(`mutation { createProject(input: { name: "x" }) { id } }`, {}, { token: key });
    expect(read.extensions?.code).toBe('FORBIDDEN');
    expect((await s.ok(`{ projects { name } }`, {}, { token: key })).projects).toEqual([{ name: 'Secret' }]);
  });

  it('holds tasks from lists the owner edits, with sections and progress; others see project null', async () => {
    const a = await s.register();
    const b = await s.register();
    const c = await s.register();
    const mine = await createList(s, a, 'Mine');
    const shared = await createList(s, b, 'Shared');
    await share(s, b, shared, a.email, 'EDITOR');
    const viewOnly = await createList(s, c, 'View only');
    await share(s, c, viewOnly, a.email, 'VIEWER');
    const p = await project(a, { name: 'Kitchen' });
    const other = await project(a, { name: 'Garden' });
    const sec = await section(a, p.id, 'Buy');
    const otherSec = await section(a, other.id, 'Dig');
    const t1 = await createTask(s, a, mine, { title: 'Tiles', projectId: p.id, sectionId: sec });
    const t2 = await createTask(s, a, shared, { title: 'Paint', projectId: p.id });
    const t3 = await createTask(s, a, mine, { title: 'Sink', projectId: p.id, status: 'DONE' });
    await createTask(s, a, mine, { title: 'Oven', projectId: p.id, status: 'CANCELLED' });
    // A task in a list A only views cannot be put anywhere: FORBIDDEN, as for any change.
    const cTask = await createTask(s, c, viewOnly, { title: 'Not yours' });
    expect((await fail(a, UPDATE_TASK, { id: cTask, i: { projectId: p.id } }))?.code).toBe('FORBIDDEN');
    // A section of another project is refused; a project of someone else's is NOT_FOUND.
    expect(await fail(a, UPDATE_TASK, { id: t2, i: { sectionId: otherSec } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { sectionId: expect.any(String) },
    });
    const bProject = await project(b, { name: 'B only' });
    expect((await fail(a, UPDATE_TASK, { id: t2, i: { projectId: bProject.id } }))?.code).toBe('NOT_FOUND');

    const view = (await gql(a, PROJECT, { id: p.id })).project;
    expect(view.progress).toEqual({ total: 3, done: 1, percent: 33 });
    expect(view.tasks.totalCount).toBe(4);
    expect(view.sections).toEqual([{ id: sec, name: 'Buy', position: 0 }]);
    const inSection = (await gql(a, PROJECT, { id: p.id, s: sec })).project.tasks.edges.map((e: any) => e.node.title);
    expect(inSection).toEqual(['Tiles']);
    const filtered = (
      await gql(a, `query F($p: ID) { tasks(first: 50, filter: { projectId: $p }) { totalCount } }`, { p: p.id })
    ).tasks;
    expect(filtered.totalCount).toBe(4);
    // B, a member of the shared list, sees A's task but not A's project.
    const seen = (
      await gql(b, `query T($id: ID!) { task(id: $id) { title project { id } section { id } } }`, { id: t2 })
    ).task;
    expect(seen).toEqual({ title: 'Paint', project: null, section: null });

    // Changing the project drops the section; explicit null clears both.
    const moved = (await gql(a, UPDATE_TASK, { id: t1, i: { projectId: other.id } })).updateTask;
    expect(moved).toMatchObject({ project: { id: other.id }, section: null });
    const placed = (await gql(a, UPDATE_TASK, { id: t1, i: { sectionId: otherSec } })).updateTask;
    expect(placed.section).toEqual({ id: otherSec });
    const cleared = (await gql(a, UPDATE_TASK, { id: t1, i: { projectId: null } })).updateTask;
    expect(cleared).toMatchObject({ project: null, section: null });
    // Deleting a section keeps its tasks in the project.
    await gql(a, UPDATE_TASK, { id: t3, i: { sectionId: sec } });
    await gql(a, `mutation D($id: ID!) { deleteProjectSection(id: $id) }`, { id: sec });
    expect((await gql(a, UPDATE_TASK, { id: t3, i: {} })).updateTask).toMatchObject({
      project: { id: p.id },
      section: null,
    });

    // Archived: no new tasks (CONFLICT), out of the default list, back with unarchive.
    await gql(a, `mutation A($id: ID!) { archiveProject(id: $id) { id } }`, { id: other.id });
    expect((await fail(a, UPDATE_TASK, { id: t1, i: { projectId: other.id } }))?.code).toBe('CONFLICT');
    expect((await gql(a, `{ projects { name } }`)).projects).toEqual([{ name: 'Kitchen' }]);
    expect((await gql(a, `{ projects(includeArchived: true) { name } }`)).projects).toHaveLength(2);
    await gql(a, `mutation A($id: ID!) { unarchiveProject(id: $id) { id } }`, { id: other.id });
    expect((await gql(a, UPDATE_TASK, { id: t1, i: { projectId: other.id } })).updateTask.project).toEqual({
      id: other.id,
    });
  });

  it('deletes a project with the tasks the viewer may delete, keeping list positions dense', async () => {
    const a = await s.register();
    const b = await s.register();
    const mine = await createList(s, a, 'Mine');
    const theirs = await createList(s, b, 'Theirs');
    await share(s, b, theirs, a.email, 'EDITOR');
    const p = await project(a, { name: 'Doomed' });
    const keep = await project(a, { name: 'Kept' });
    await createTask(s, a, mine, { title: 'before' });
    await createTask(s, a, mine, { title: 'in project 1', projectId: p.id });
    await createTask(s, a, mine, { title: 'middle' });
    await createTask(s, a, mine, { title: 'in project 2', projectId: p.id });
    await createTask(s, a, mine, { title: 'after' });
    const keepSection = await section(a, keep.id, 'Now');
    const inTheirs = await createTask(s, a, theirs, {
      title: 'in their list',
      projectId: keep.id,
      sectionId: keepSection,
    });
    // Without deleteTasks the tasks stay, without project.
    await gql(a, `mutation D($id: ID!) { deleteProject(id: $id) }`, { id: keep.id });
    const detached = await gql(a, `query T($id: ID!) { task(id: $id) { project { id } section { id } } }`, {
      id: inTheirs,
    });
    expect(detached.task).toEqual({ project: null, section: null });
    await gql(a, `mutation D($id: ID!) { deleteProject(id: $id, deleteTasks: true) }`, { id: p.id });
    const left = await positions(s, a, mine);
    expect(left.map((t) => t.position)).toEqual([0, 1, 2]);
    const titles = (
      await gql(a, `query L($id: ID!) { taskList(id: $id) { tasks { edges { node { title } } } } }`, { id: mine })
    ).taskList.tasks.edges.map((e: any) => e.node.title);
    expect(titles).toEqual(['before', 'middle', 'after']);
    expect((await gql(a, `{ projects { id } }`)).projects).toEqual([]);
  });

  it('stores an all-day due date as 23:59:59 local, and only with a due date', async () => {
    const a = await s.register({ timezone: 'Europe/Warsaw' });
    const list = await createList(s, a);
    const id = await createTask(s, a, list, { dueAt: '2026-12-10T08:00:00Z', dueAllDay: true });
    const read = async () => (await gql(a, `query T($id: ID!) { task(id: $id) { dueAt dueAllDay } }`, { id })).task;
    expect(await read()).toEqual({ dueAt: '2026-12-10T22:59:59.000Z', dueAllDay: true });
    // A new dueAt without the flag is an instant again.
    expect((await gql(a, UPDATE_TASK, { id, i: { dueAt: '2026-12-11T08:00:00Z' } })).updateTask).toMatchObject({
      dueAt: '2026-12-11T08:00:00.000Z',
      dueAllDay: false,
    });
    // The flag alone takes the stored date's local day.
    expect((await gql(a, UPDATE_TASK, { id, i: { dueAllDay: true } })).updateTask.dueAt).toBe(
      '2026-12-11T22:59:59.000Z',
    );
    expect((await gql(a, UPDATE_TASK, { id, i: { dueAt: null } })).updateTask).toMatchObject({
      dueAt: null,
      dueAllDay: false,
    });
    expect(await fail(a, UPDATE_TASK, { id, i: { dueAllDay: true } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { dueAllDay: expect.any(String) },
    });
  });

  it('exports areas, projects and sections with the rest of the data', async () => {
    const a = await s.register();
    const area = (await gql(a, `mutation { createArea(name: "Health", color: "#00aa00") { id } }`)).createArea.id;
    const p = await project(a, { name: 'Run a 10k', areaId: area });
    await section(a, p.id, 'Base');
    const data = (await gql(a, `{ exportMyData }`)).exportMyData;
    expect(data.areas).toMatchObject([{ id: area, name: 'Health', color: '#00aa00' }]);
    expect(data.projects).toMatchObject([{ id: p.id, name: 'Run a 10k', areaId: area }]);
    expect(data.projectSections).toMatchObject([{ projectId: p.id, name: 'Base' }]);
  });

  it('caps sections at 50 a project and orders them densely', async () => {
    const a = await s.register();
    const p = await project(a, { name: 'Big' });
    for (let i = 0; i < 50; i++) await section(a, p.id, `S${i}`);
    expect(
      await fail(a, `mutation S($p: ID!) { createProjectSection(projectId: $p, name: "one more") { id } }`, {
        p: p.id,
      }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', fields: { name: 'At most 50 sections in a project' } });
    const secs = (await gql(a, PROJECT, { id: p.id })).project.sections;
    await gql(a, `mutation U($id: ID!) { updateProjectSection(id: $id, position: 0) { position } }`, {
      id: secs[49].id,
    });
    await gql(a, `mutation D($id: ID!) { deleteProjectSection(id: $id) }`, { id: secs[10].id });
    const after = (await gql(a, PROJECT, { id: p.id })).project.sections;
    expect(after.map((x: any) => x.position)).toEqual([...Array(49).keys()]);
    expect(after[0].name).toBe('S49');
    expect(after.map((x: any) => x.name)).not.toContain('S10');
  });
});
