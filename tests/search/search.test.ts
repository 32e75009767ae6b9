import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { SEND, actions, conversation, taskList } from '../assistant/agent-helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1' });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(llm);
});

const SEARCH = `query S($q: String!, $t: [SearchableType!], $m: SearchMode, $f: Int) { search(query: $q, types: $t, mode: $m, first: $f) {
  type id title snippet score matchedText matchedSemantic node { __typename ... on Task { title } ... on Document { title } ... on JournalEntry { date } ... on CalendarEvent { title } } } }`;
const search = async (who: Account, q: string, extra: Record<string, unknown> = {}) =>
  (await s.ok(SEARCH, { q, ...extra }, { token: who.token })).search as any[];

async function workspace(who: Account) {
  const listId = await taskList(s, who, 'Errands');
  const task = (
    await s.ok(
      `mutation T($l: ID!) { createTask(input: { listId: $l, title: "Call the dentist", notes: "Ask about the molar crown before Friday" }) { id } }`,
      { l: listId },
      { token: who.token },
    )
  ).createTask.id;
  const doc = (
    await s.ok(
      `mutation { createDocument(input: { title: "Insurance", content: "The policy covers a crown every five years." }) { id } }`,
      {},
      { token: who.token },
    )
  ).createDocument.id;
  const entry = (
    await s.ok(
      `mutation { upsertJournalEntry(input: { type: DAILY_REFLECTION, date: "2026-11-30", content: { mood: "calm", text: "My tooth hurt; the crown may be loose." } }) { id } }`,
      {},
      { token: who.token },
    )
  ).upsertJournalEntry.id;
  const event = (
    await s.ok(
      `mutation { createEvent(input: { title: "Dentist appointment", description: "Crown fitting", location: "Molar Street 4", startsAt: "2026-12-04T09:00:00Z", endsAt: "2026-12-04T10:00:00Z" }) { id } }`,
      {},
      { token: who.token },
    )
  ).createEvent.id;
  return { listId, task, doc, entry, event };
}

describe('search', () => {
  it('finds every type by full text, ranks, filters by type, and says what it matched', async () => {
    const a = await s.register();
    const w = await workspace(a);
    const hits = await search(a, 'crown');
    expect(hits.map((h) => [h.type, h.id]).sort()).toEqual(
      [
        ['DOCUMENT', w.doc],
        ['EVENT', w.event],
        ['JOURNAL_ENTRY', w.entry],
        ['TASK', w.task],
      ].sort(),
    );
    for (const h of hits) {
      expect(h).toMatchObject({ matchedText: true, matchedSemantic: false });
      expect(h.score).toBeGreaterThan(0);
      expect(h.snippet.toLowerCase()).toContain('crown');
      expect(h.snippet).not.toMatch(/<|\{|"/);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((x, y) => y - x));
    const byType = Object.fromEntries(hits.map((h) => [h.type, h]));
    expect(byType.TASK).toMatchObject({
      title: 'Call the dentist',
      node: { __typename: 'Task', title: 'Call the dentist' },
    });
    expect(byType.JOURNAL_ENTRY).toMatchObject({
      title: 'Daily Reflection 2026-11-30',
      node: { __typename: 'JournalEntry', date: '2026-11-30' },
    });
    expect(byType.JOURNAL_ENTRY.snippet).toContain('tooth hurt');
    expect(byType.EVENT.node).toEqual({ __typename: 'CalendarEvent', title: 'Dentist appointment' });
    // Title words weigh more: "dentist" ranks the task and the event (titles) above nothing else.
    expect((await search(a, 'molar', { t: ['EVENT'] })).map((h) => h.type)).toEqual(['EVENT']);
    expect((await search(a, 'crown', { t: ['TASK', 'DOCUMENT'] })).map((h) => h.type).sort()).toEqual([
      'DOCUMENT',
      'TASK',
    ]);
    expect(await search(a, 'crown', { f: 1 })).toHaveLength(1);
    // HYBRID (the default) answers as TEXT while there is no semantic index.
    expect((await search(a, 'crown', { m: 'HYBRID' })).map((h) => h.id)).toEqual(
      (await search(a, 'crown', { m: 'TEXT' })).map((h) => h.id),
    );
  });

  it("never shows another user's items; shared list tasks while a member; accepted invitations, not declined ones", async () => {
    const [a, b] = [await s.register(), await s.register()];
    const w = await workspace(b);
    expect(await search(a, 'crown')).toEqual([]);
    await s.ok(
      `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: VIEWER) { id } }`,
      { id: w.listId, e: a.email },
      { token: b.token },
    );
    const [inv] = (
      await s.ok(
        `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { id } }`,
        { e: w.event, m: [a.email] },
        { token: b.token },
      )
    ).inviteToEvent;
    expect((await search(a, 'crown')).map((h) => h.type).sort()).toEqual(['EVENT', 'TASK']);
    await s.ok(
      `mutation R($id: ID!) { respondToInvitation(invitationId: $id, status: DECLINED) { id } }`,
      { id: inv.id },
      { token: a.token },
    );
    await s.ok(
      `mutation L($l: ID!, $u: ID!) { removeTaskListMember(id: $l, userId: $u) { id } }`,
      { l: w.listId, u: a.userId },
      { token: a.token },
    );
    expect(await search(a, 'crown')).toEqual([]);
  });

  it('refuses bad input clearly and survives tsquery syntax', async () => {
    const a = await s.register();
    await workspace(a);
    const code = async (q: string, extra: Record<string, unknown> = {}) =>
      (await s.fail(SEARCH, { q, ...extra }, { token: a.token })).extensions;
    expect(await code('   ')).toMatchObject({ code: 'BAD_USER_INPUT', fields: { query: 'Give words to search for' } });
    expect(await code('x'.repeat(10_000))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { query: 'The query is at most 500 characters' },
    });
    expect(await code('crown', { f: 51 })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { first: 'first must be 1-50' },
    });
    expect(await code('crown', { f: 0 })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code('crown', { t: ['PARCEL'] })).toMatchObject({ code: 'BAD_USER_INPUT' });
    const semantic = await code('crown', { m: 'SEMANTIC' });
    const status = (await s.ok(`{ semanticIndexStatus { available reason indexed pending } }`, {}, { token: a.token }))
      .semanticIndexStatus;
    // No embeddings provider here (and no pgvector on the PostgreSQL server): the reason says which.
    // With pgvector, the four items wait in the queue for a provider.
    expect(status).toMatchObject({
      available: false,
      indexed: 0,
      pending: process.env.TEST_DATABASE_URL ? 0 : 4,
      reason: expect.stringMatching(process.env.TEST_DATABASE_URL ? /pgvector/ : /EMBEDDINGS_BASE_URL/),
    });
    expect(semantic).toMatchObject({ code: 'BAD_USER_INPUT', fields: { mode: status.reason } });
    for (const q of ['crown & | !!( :*', "'crown'", 'crown:* <-> ', '"unterminated', '-crown', 'or or or', '\\']) {
      expect(Array.isArray(await search(a, q))).toBe(true);
    }
    expect((await search(a, '"molar crown"')).map((h) => h.type)).toEqual(['TASK']);
    expect((await search(a, 'crown -tooth')).map((h) => h.type)).not.toContain('JOURNAL_ENTRY');
    expect(
      (
        await s.fail(
          `query { similar(type: TASK, id: "00000000-0000-0000-0000-000000000000") { id } }`,
          {},
          { token: a.token },
        )
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('costs one statement for the hits and one per type for their nodes, whatever the number of hits', async () => {
    const a = await s.register();
    const listId = await taskList(s, a);
    for (let i = 0; i < 30; i++)
      await s.ok(
        `mutation T($l: ID!, $t: String!) { createTask(input: { listId: $l, title: $t }) { id } }`,
        { l: listId, t: `Parcel ${i}` },
        { token: a.token },
      );
    await s.ok(
      `mutation { createDocument(input: { title: "Parcel", content: "parcel" }) { id } }`,
      {},
      { token: a.token },
    );
    const { result, reports } = await s.reports(() => s.ok(SEARCH, { q: 'parcel', f: 50 }, { token: a.token }));
    expect(result.search).toHaveLength(31);
    // Authentication, the search, the tasks, the documents.
    expect(reports[0]!.statements).toBeLessThanOrEqual(4);
  });
});

describe('relations', () => {
  const RELATE = `mutation R($i: RelateInput!) { relate(input: $i) { id kind otherType otherId node { __typename } } }`;
  const RELATED = `query R($t: SearchableType!, $id: ID!) { related(type: $t, id: $id) { id kind otherType otherId node { __typename } } }`;

  it('links two visible items both ways; deleting an item removes its links; others get NOT_FOUND', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const w = await workspace(a);
    const theirs = await workspace(b);
    const link = (
      await s.ok(
        RELATE,
        { i: { fromType: 'TASK', fromId: w.task, toType: 'DOCUMENT', toId: w.doc, kind: 'follow_up' } },
        { token: a.token },
      )
    ).relate;
    expect(link).toMatchObject({
      kind: 'follow_up',
      otherType: 'DOCUMENT',
      otherId: w.doc,
      node: { __typename: 'Document' },
    });
    // Again: the same link.
    expect(
      (
        await s.ok(
          RELATE,
          { i: { fromType: 'TASK', fromId: w.task, toType: 'DOCUMENT', toId: w.doc, kind: 'follow_up' } },
          { token: a.token },
        )
      ).relate.id,
    ).toBe(link.id);
    expect((await s.ok(RELATED, { t: 'DOCUMENT', id: w.doc }, { token: a.token })).related).toEqual([
      { id: link.id, kind: 'follow_up', otherType: 'TASK', otherId: w.task, node: { __typename: 'Task' } },
    ]);
    // Items the viewer cannot see, bad kinds, self-links.
    const fail = async (i: Record<string, string>, who = a) =>
      (await s.fail(RELATE, { i }, { token: who.token })).extensions?.code;
    expect(
      await fail({ fromType: 'TASK', fromId: w.task, toType: 'DOCUMENT', toId: theirs.doc, kind: 'related' }),
    ).toBe('NOT_FOUND');
    expect(await fail({ fromType: 'TASK', fromId: w.task, toType: 'DOCUMENT', toId: w.doc, kind: 'Not A Word!' })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await fail({ fromType: 'TASK', fromId: w.task, toType: 'TASK', toId: w.task, kind: 'related' })).toBe(
      'BAD_USER_INPUT',
    );
    expect((await s.fail(RELATED, { t: 'DOCUMENT', id: w.doc }, { token: b.token })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await s.fail(`mutation U($id: ID!) { unrelate(id: $id) }`, { id: link.id }, { token: b.token })).extensions
        ?.code,
    ).toBe('NOT_FOUND');
    // Deleting the task (here: with its list) removes the link.
    await s.ok(
      RELATE,
      { i: { fromType: 'EVENT', fromId: w.event, toType: 'JOURNAL_ENTRY', toId: w.entry, kind: 'related' } },
      { token: a.token },
    );
    await s.ok(`mutation D($id: ID!) { deleteTaskList(id: $id) }`, { id: w.listId }, { token: a.token });
    expect((await s.ok(RELATED, { t: 'DOCUMENT', id: w.doc }, { token: a.token })).related).toEqual([]);
    const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from relations where user_id = ${a.userId}`,
    );
    expect(n).toBe(1);
    const other = (await s.ok(RELATED, { t: 'EVENT', id: w.event }, { token: a.token })).related;
    expect(await s.ok(`mutation U($id: ID!) { unrelate(id: $id) }`, { id: other[0].id }, { token: a.token })).toEqual({
      unrelate: other[0].id,
    });
  });
});

describe('the assistant searches', () => {
  it('search_workspace finds shared content, and a later write then waits for approval', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const w = await workspace(b);
    await s.ok(
      `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: EDITOR) { id } }`,
      { id: w.listId, e: a.email },
      { token: b.token },
    );
    const c = await conversation(s, a);
    llm.script(
      { calls: [{ name: 'search_workspace', args: { query: 'dentist', types: ['TASK'] } }] },
      (body) => {
        const result = JSON.parse(body.messages.at(-1).content).result;
        expect(result.hits).toEqual([
          { type: 'TASK', id: w.task, title: 'Call the dentist', snippet: expect.any(String), writtenByUser: false },
        ]);
        return { calls: [{ name: 'create_task', args: { listId: w.listId, title: 'Pay the dentist' } }] };
      },
      { text: ['Waiting for your approval.'] },
    );
    await s.ok(SEND, { c, t: 'find the dentist task' }, { token: a.token });
    expect((await actions(s, a)).map((x) => [x.tool, x.status, x.approvalReason])).toEqual([
      ['search_workspace', 'EXECUTED', null],
      // Into the list someone else shared: a WRITE there publishes, so it waits as EXTERNAL.
      ['create_task', 'PENDING', 'EXTERNAL_EFFECT'],
    ]);
  });
});
