import type { Account, GqlClient } from '../helpers/client.js';

export async function createList(s: GqlClient, owner: Account, name = 'List'): Promise<string> {
  const data = await s.ok(
    `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`,
    { n: name },
    { token: owner.token },
  );
  return data.createTaskList.id;
}

export async function share(s: GqlClient, owner: Account, listId: string, email: string, role: 'EDITOR' | 'VIEWER') {
  await s.ok(
    `mutation S($id: ID!, $e: String!, $r: ListRole!) { shareTaskList(id: $id, email: $e, role: $r) { id } }`,
    { id: listId, e: email, r: role },
    { token: owner.token },
  );
}

export async function createTask(
  s: GqlClient,
  who: Account,
  listId: string,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const data = await s.ok(
    `mutation C($input: CreateTaskInput!) { createTask(input: $input) { id } }`,
    { input: { listId, title: 'Task', ...fields } },
    { token: who.token },
  );
  return data.createTask.id;
}

export async function positions(
  s: GqlClient,
  who: Account,
  listId: string,
): Promise<Array<{ id: string; position: number }>> {
  const data = await s.ok(
    `query P($id: ID!) { taskList(id: $id) { tasks(first: 100) { edges { node { id position } } } } }`,
    { id: listId },
    { token: who.token },
  );
  return data.taskList.tasks.edges.map((e: { node: { id: string; position: number } }) => e.node);
}
