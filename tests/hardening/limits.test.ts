import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const tooComplex = async (query: string, token?: string) => {
  const res = await s.gql(query, {}, { token });
  expect(res.status).toBe(400);
  expect(res.data).toBeUndefined();
  return res.errors![0];
};

describe('operation limits', () => {
  it('rejects a query deeper than 10 levels, naming the limit', async () => {
    const a = await s.register();
    const deep = `{ taskLists { tasks { edges { node { list { tasks { edges { node { list { owner { id } } } } } } } } } } }`;
    const e = await tooComplex(deep, a.token);
    expect(e!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 10 });
    expect(e!.message).toMatch(/levels deep; at most 10/);
  });

  it('rejects a query whose cost (list sizes from `first`) is over 5,000, and executes nothing', async () => {
    const a = await s.register();
    const page = `tasks(first: 100) { edges { node { labels { id name color } createdBy { id email } list { members { user { id email name } } } } } }`;
    const costly = `mutation { createTaskList(input: { name: "never" }) { a: ${page} b: ${page} } }`;
    const e = await tooComplex(costly, a.token);
    expect(e!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 5000 });
    expect((await s.ok(`{ taskLists { id } }`, {}, { token: a.token })).taskLists).toEqual([]);
    // The nested read of the statement-count test stays within the budget.
    await s.ok(
      `{ taskLists { tasks(first: 50) { edges { node { labels { id } assignee { id } createdBy { id } } } } members { user { id } } } }`,
      {},
      { token: a.token },
    );
  });

  it('judges a repeated operation by its variables every time (outcomes are kept per document)', async () => {
    const a = await s.register();
    const query = `query Q($n: Int) { taskLists { tasks(first: $n) { edges { node { labels { id name } createdBy { id } list { members { user { id } } } } } } } }`;
    for (const round of [1, 2]) {
      const costly = await s.gql(query, { n: 100 }, { token: a.token });
      expect(costly.errors?.[0]?.extensions, `round ${round}`).toMatchObject({
        code: 'QUERY_TOO_COMPLEX',
        limit: 'cost',
      });
      const cheap = await s.gql(query, { n: 2 }, { token: a.token });
      expect(cheap.errors, `round ${round}`).toBeUndefined();
      expect(cheap.data.taskLists).toEqual([]);
    }
  });

  it('rejects more than 15 aliases, more than 50 directives, and query text over 100 KB', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await tooComplex(aliases))!.extensions).toMatchObject({ limit: 'aliases', max: 15 });
    const directives = `{ ${'...F @include(if: true) '.repeat(51)} } fragment F on Query { __typename }`;
    expect((await tooComplex(directives))!.extensions).toMatchObject({ limit: 'directives', max: 50 });
    const long = `{ __typename } # ${'x'.repeat(101 * 1024)}`;
    expect((await tooComplex(long))!.extensions).toMatchObject({ limit: 'queryBytes' });
  });

  it('allows one sign-in mutation per operation: alias brute force is refused and counts nothing', async () => {
    const a = await s.register();
    const attempts = Array.from(
      { length: 3 },
      (_, i) => `a${i}: login(input: { identifier: "${a.email}", password: "guess-${i}-xx" }) { accessToken }`,
    ).join(' ');
    const e = await tooComplex(`mutation { ${attempts} }`);
    expect(e!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'sensitiveMutations' });
    await s.ok(
      `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
      { i: a.email, p: PASSWORD },
    );
  });
});
