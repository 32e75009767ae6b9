import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { createList } from '../tasks/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const CREATE = `mutation C($input: CreateTaskInput!) { createTask(input: $input) { id title } }`;
const create = (who: Account, listId: string, title: string, key?: string) =>
  s.gql(CREATE, { input: { listId, title } }, { token: who.token, headers: key ? { 'idempotency-key': key } : {} });

async function titles(who: Account, listId: string): Promise<string[]> {
  const data = await s.ok(
    `query L($id: ID!) { taskList(id: $id) { tasks(first: 100) { edges { node { title } } } } }`,
    { id: listId },
    { token: who.token },
  );
  return data.taskList.tasks.edges.map((e: { node: { title: string } }) => e.node.title).sort();
}

/** A new user with an empty list, and a new key. */
async function freshList() {
  const who = await s.register();
  return { who, listId: await createList(s, who), key: randomUUID() };
}

describe('Idempotency-Key', () => {
  it('a retry gets the first response again instead of acting twice; another request with the key is refused', async () => {
    const { who, listId, key } = await freshList();
    const first = await create(who, listId, 'Pay rent', key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await create(who, listId, 'Pay rent', key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.data.createTask).toEqual(first.data.createTask);

    const other = await create(who, listId, 'Something else', key);
    expect(other.status).toBe(422);
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { idempotencyKey: expect.any(String) },
    });
    // Without a key, the same mutation acts every time.
    await create(who, listId, 'Pay rent');
    expect(await titles(who, listId)).toEqual(['Pay rent', 'Pay rent']);
  });

  it('concurrent requests with one key act once: the others get 409 with Retry-After, or the replay', async () => {
    const { who, listId, key } = await freshList();
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(who, listId, 'Once', key)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((st) => st === 200 || st === 409)).toBe(true);
    for (const conflict of answers.filter((a) => a.status === 409)) {
      expect(conflict.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(conflict.headers.get('retry-after')).toBe('1');
    }
    const ids = new Set(answers.filter((a) => a.status === 200).map((a) => a.data.createTask.id));
    expect(ids.size).toBe(1);
    expect(await titles(who, listId)).toEqual(['Once']);
  });

  it('is scoped to the credential: the same key from another user or session acts for it', async () => {
    const a = await s.register();
    const b = await s.register();
    const key = randomUUID();
    const listA = await createList(s, a);
    const listB = await createList(s, b);
    expect((await create(a, listA, 'Mine', key)).status).toBe(200);
    const theirs = await create(b, listB, 'Theirs', key);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await titles(b, listB)).toEqual(['Theirs']);
  });

  it('keeps refusals too, refuses bad keys and anonymous use, and ignores the header on queries', async () => {
    const { who, listId, key } = await freshList();
    const bad = await create(who, listId, '', key);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const again = await create(who, listId, '', key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.errors).toEqual(bad.errors);

    const tooLong = await create(who, listId, 'x', 'k'.repeat(256));
    expect(tooLong.status).toBe(400);
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const anonymous = await s.gql(
      `mutation { requestPasswordReset(email: "nobody@example.com") }`,
      {},
      { headers: { 'idempotency-key': randomUUID() } },
    );
    expect(anonymous.status).toBe(400);
    expect(anonymous.errors?.[0]?.message).toMatch(/signed-in/);
    const query = await s.gql(`{ me { id } }`, {}, { token: who.token, headers: { 'idempotency-key': key } });
    expect(query.data.me.id).toBe(who.userId);
    expect(await titles(who, listId)).toEqual([]);
  });

  it('writes that committed are never done again, even when the response was not kept (a replica died in between)', async () => {
    const { who, listId, key } = await freshList();
    const first = await create(who, listId, 'Committed once', key);
    expect(first.status).toBe(200);
    const db = s.server.app.db;
    // The marker committed with the task; the state a replica leaves when it dies before keeping the
    // response, once its lock has run out.
    const rows = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, who.userId));
    expect(rows.map((r) => r.state)).toEqual(['DONE']);
    await db
      .update(idempotencyKeys)
      .set({ state: 'COMMITTED', response: null, httpStatus: null, lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(idempotencyKeys.userId, who.userId));
    const retry = await create(who, listId, 'Committed once', key);
    expect(retry.status).toBe(409);
    expect(retry.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(retry.errors?.[0]?.message).toMatch(/carried out/);
    expect(retry.headers.get('retry-after')).toBeNull();
    expect(await titles(who, listId)).toEqual(['Committed once']);
  });

  it('a replayed secret comes back, but is not stored readable: the row holds neither it nor the key', async () => {
    const who = await s.register();
    const key = `key-${randomUUID()}`;
    const MINT = `mutation { createApiKey(input: { name: "ci", scopes: [READ] }) { secret apiKey { id } } }`;
    const headers = { 'idempotency-key': key };
    const first = await s.gql(MINT, {}, { token: who.token, headers });
    const secret: string = first.data.createApiKey.secret;
    expect(secret.length).toBeGreaterThan(20);
    const retry = await s.gql(MINT, {}, { token: who.token, headers });
    expect(retry.data.createApiKey).toEqual(first.data.createApiKey);
    const keys = await s.ok(`{ apiKeys { id } }`, {}, { token: who.token });
    expect(keys.apiKeys).toHaveLength(1);

    const rows = await s.server.app.db.select().from(idempotencyKeys);
    const stored = JSON.stringify(rows.filter((r) => r.userId === who.userId));
    expect(stored).toContain('"state":"DONE"');
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(key);
  });
});
