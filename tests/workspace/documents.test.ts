import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let a: Account;
beforeAll(async () => {
  s = await startServer();
  a = await s.register();
});
afterAll(() => closeAll(s));

const CREATE = `mutation C($i: CreateDocumentInput!) { createDocument(input: $i) { id wordCount tags { name } } }`;
const SEARCH = `query S($q: String, $tags: [ID!], $first: Int, $after: String) { documents(search: $q, tagIds: $tags, first: $first, after: $after) {
  totalCount edges { node { id title snippet } } pageInfo { hasNextPage endCursor } } }`;
const doc = async (title: string, content: string, tagIds?: string[]) =>
  (await s.ok(CREATE, { i: { title, content, tagIds } }, { token: a.token })).createDocument;
const tag = async (name: string) =>
  (await s.ok(`mutation T($n: String!) { createTag(input: { name: $n }) { id } }`, { n: name }, { token: a.token }))
    .createTag.id;

describe('documents', () => {
  it('counts words and ranks full-text matches: title above content; snippet marks the match', async () => {
    const inContent = await doc('Weekly notes', 'We talked about the **garden** and the compost heap.');
    const inTitle = await doc('Garden plans', 'Tomatoes, beans and the garden shed. More garden work in spring.');
    await doc('Unrelated', 'Nothing to see here.');
    expect(inContent.wordCount).toBe(9);
    const res = (await s.ok(SEARCH, { q: 'gardens' }, { token: a.token })).documents;
    expect(res.totalCount).toBe(2);
    expect(res.edges.map((e: any) => e.node.id)).toEqual([inTitle.id, inContent.id]);
    expect(res.edges[1].node.snippet).toContain('<mark>garden</mark>');
    // websearch syntax: quoted phrases and exclusions.
    expect((await s.ok(SEARCH, { q: '"compost heap"' }, { token: a.token })).documents.totalCount).toBe(1);
    expect(
      (await s.ok(SEARCH, { q: 'garden -tomatoes' }, { token: a.token })).documents.edges.map((e: any) => e.node.id),
    ).toEqual([inContent.id]);
    // Without a search there is no snippet.
    expect((await s.ok(SEARCH, { first: 1 }, { token: a.token })).documents.edges[0].node.snippet).toBeNull();
  });

  it('pages through search results without repeats', async () => {
    for (let i = 0; i < 5; i++) await doc(`Paged ${i}`, `lighthouse ${'lighthouse '.repeat(i)}`);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await s.ok(SEARCH, { q: 'lighthouse', first: 2, after }, { token: a.token })).documents;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('filters by all given tags; setDocumentTags replaces the set; documentCount counts', async () => {
    const [work, home] = [await tag('work'), await tag('home')];
    const both = await doc('Both', 'x', [work, home]);
    const one = await doc('One', 'y', [work]);
    expect(
      (await s.ok(SEARCH, { tags: [work, home] }, { token: a.token })).documents.edges.map((e: any) => e.node.id),
    ).toEqual([both.id]);
    await s.ok(
      `mutation M($d: ID!, $t: [ID!]!) { setDocumentTags(documentId: $d, tagIds: $t) { id } }`,
      { d: one.id, t: [home] },
      { token: a.token },
    );
    const tags = (await s.ok(`{ tags { name documentCount } }`, {}, { token: a.token })).tags;
    expect(tags).toEqual([
      { name: 'home', documentCount: 2 },
      { name: 'work', documentCount: 1 },
    ]);
    expect(
      (await s.fail(`mutation { createTag(input: { name: "WORK" }) { id } }`, {}, { token: a.token })).extensions?.code,
    ).toBe('CONFLICT');
  });

  it("other users' documents and tags are NOT_FOUND; they never show in search", async () => {
    const b = await s.register();
    const mine = await doc('Secret garden', 'garden');
    const t = await tag('private');
    const ops: Array<[string, Record<string, unknown>]> = [
      [`query Q($id: ID!) { document(id: $id) { id } }`, { id: mine.id }],
      [`mutation M($id: ID!) { updateDocument(id: $id, input: { title: "x" }) { id } }`, { id: mine.id }],
      [`mutation M($id: ID!) { deleteDocument(id: $id) }`, { id: mine.id }],
      [`mutation M($id: ID!) { setDocumentTags(documentId: $id, tagIds: []) { id } }`, { id: mine.id }],
      [`mutation M($id: ID!) { deleteTag(id: $id) }`, { id: t }],
    ];
    for (const [q, v] of ops) expect((await s.fail(q, v, { token: b.token })).extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(SEARCH, { q: 'garden' }, { token: b.token })).documents.totalCount).toBe(0);
    const own = (await s.ok(CREATE, { i: { title: 'Mine', content: 'z' } }, { token: b.token })).createDocument;
    expect(
      (
        await s.fail(
          `mutation M($d: ID!, $t: [ID!]!) { setDocumentTags(documentId: $d, tagIds: $t) { id } }`,
          { d: own.id, t: [t] },
          { token: b.token },
        )
      ).extensions?.code,
    ).toBe('NOT_FOUND');
  });
});
