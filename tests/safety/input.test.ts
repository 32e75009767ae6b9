import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import { type Account, type GqlError, PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList, createTask } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

// Development mode: the mode in which an unhandled database error would show its SQL and parameters.
let s: TestServer;
let a: Account;
beforeAll(async () => {
  s = await startServer({ NODE_ENV: 'development' });
  a = await s.register({ timezone: 'Pacific/Kiritimati' });
});
afterAll(() => closeAll(s));

const NUL = 'bad\u0000text';

/** A clear BAD_USER_INPUT naming the field, and nothing of the database in it. */
function expectBadInput(error: GqlError, field: string) {
  expect(error.extensions?.code, JSON.stringify(error)).toBe('BAD_USER_INPUT');
  expect(Object.keys(error.extensions?.fields ?? {})).toContain(field);
  expect(JSON.stringify(error)).not.toMatch(/insert into|select |update "|\$argon2|params:|Failed query/i);
}

describe('NUL characters', () => {
  it('are refused in every kind of input, with the field named and nothing written', async () => {
    const list = await createList(s, a);
    const task = await createTask(s, a, list);
    const cases: Array<[string, Record<string, unknown>, string, Account | null]> = [
      [`mutation M($v: String!) { createTaskList(input: { name: $v }) { id } }`, { v: NUL }, 'name', a],
      [
        `mutation M($l: ID!, $v: String!) { createTask(input: { listId: $l, title: $v }) { id } }`,
        { l: list, v: NUL },
        'title',
        a,
      ],
      [
        `mutation M($t: ID!, $v: String) { updateTask(id: $t, input: { notes: $v }) { id } }`,
        { t: task, v: NUL },
        'notes',
        a,
      ],
      [
        `mutation M($v: String!) { createDocument(input: { title: "t", content: $v }) { id } }`,
        { v: NUL },
        'content',
        a,
      ],
      [
        `mutation M($v: JSON!) { upsertJournalEntry(input: { type: MORNING_PAGES, date: "2026-01-01", content: $v }) { id } }`,
        { v: { text: NUL } },
        'content',
        a,
      ],
      [
        `mutation M($v: JSON!) { upsertJournalEntry(input: { type: MORNING_PAGES, date: "2026-01-01", content: $v }) { id } }`,
        { v: { [NUL]: 'key' } },
        'content',
        a,
      ],
      [`mutation M($v: String) { updateProfile(input: { name: $v }) { id } }`, { v: NUL }, 'name', a],
      [
        `mutation M($v: String) { createEvent(input: { title: "e", location: $v, startsAt: "2026-01-01T10:00:00Z", endsAt: "2026-01-01T11:00:00Z" }) { id } }`,
        { v: NUL },
        'location',
        a,
      ],
      [
        `mutation M($v: String!) { login(input: { identifier: $v, password: "whatever-password" }) { accessToken } }`,
        { v: NUL },
        'identifier',
        null,
      ],
      [
        `mutation M($v: String!) { register(input: { email: "nul@example.com", password: $v }) { accessToken } }`,
        { v: `long-enough-${NUL}` },
        'password',
        null,
      ],
      [`query Q($v: String) { documents(search: $v) { totalCount } }`, { v: NUL }, 'search', a],
      [`query Q($v: String) { tasks(filter: { search: $v }) { totalCount } }`, { v: NUL }, 'search', a],
      [
        `mutation M($l: ID!, $v: String!) { shareTaskList(id: $l, email: $v, role: VIEWER) { id } }`,
        { l: list, v: `x${NUL}@example.com` },
        'email',
        a,
      ],
      [`mutation M($v: String!) { requestPasswordReset(email: $v) }`, { v: `${NUL}@example.com` }, 'email', null],
      [
        `mutation M($v: [String!]!, $e: ID!) { inviteToEvent(eventId: $e, emails: $v) { id } }`,
        { v: [`a${NUL}@example.com`], e: task },
        'emails',
        a,
      ],
    ];
    for (const [query, variables, field, who] of cases) {
      const res = await s.gql(query, variables, { token: who?.token });
      expect(res.status, query).toBe(400);
      expectBadInput(res.errors![0]!, field);
    }
    // Inline literals are checked the same way as variables.
    expectBadInput(
      await s.fail(`mutation { createTaskList(input: { name: "a\\u0000b" }) { id } }`, {}, { token: a.token }),
      'name',
    );
    const [row] = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from users where email = 'nul@example.com'`,
    );
    expect(Number(row!.n)).toBe(0);
    const lists = await s.ok(`{ taskLists { name } }`, {}, { token: a.token });
    expect(lists.taskLists.map((l: any) => l.name)).toEqual(['List']);
  });
});

describe('values outside what the database holds', () => {
  it('refuses dates outside four-digit years and an all-day event ending on the last day', async () => {
    const CREATE = `mutation C($i: CreateEventInput!) { createEvent(input: $i) { id } }`;
    expectBadInput(
      await s.fail(
        CREATE,
        { i: { title: 'x', startsAt: '0000-01-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' } },
        { token: a.token },
      ),
      'startsAt',
    );
    expectBadInput(
      await s.fail(
        CREATE,
        { i: { title: 'x', startsAt: '9999-12-31T20:00:00Z', endsAt: '9999-12-31T23:00:00-05:00' } },
        { token: a.token },
      ),
      'endsAt',
    );
    expectBadInput(
      await s.fail(
        CREATE,
        { i: { title: 'x', allDay: true, startsAt: '9999-12-30T00:00:00Z', endsAt: '9999-12-31T00:00:00Z' } },
        { token: a.token },
      ),
      'endsAt',
    );
    expectBadInput(
      await s.fail(
        `mutation { upsertJournalEntry(input: { type: MORNING_PAGES, date: "0000-01-01", content: "x" }) { id } }`,
        {},
        { token: a.token },
      ),
      'date',
    );
    expectBadInput(
      await s.fail(
        `query Q($f: Date) { journalEntries(from: $f) { totalCount } }`,
        { f: '0999-12-31' },
        { token: a.token },
      ),
      'f',
    );
    // Dates that do not exist are refused, not rolled over into the next month.
    expectBadInput(
      await s.fail(
        CREATE,
        { i: { title: 'x', startsAt: '2026-02-30T10:00:00Z', endsAt: '2026-03-01T10:00:00Z' } },
        { token: a.token },
      ),
      'startsAt',
    );
    expectBadInput(
      await s.fail(
        CREATE,
        { i: { title: 'x', startsAt: '2026-04-01T10:00:00Z', endsAt: '2026-04-31T10:00:00Z' } },
        { token: a.token },
      ),
      'endsAt',
    );
    expectBadInput(
      await s.fail(
        `mutation { upsertJournalEntry(input: { type: MORNING_PAGES, date: "2026-02-29", content: "x" }) { id } }`,
        {},
        { token: a.token },
      ),
      'date',
    );
  });

  it('refuses integers past 32 bits, over-long lists and deep JSON, naming the field', async () => {
    const list = await createList(s, a);
    const task = await createTask(s, a, list);
    const big = await s.gql(
      `mutation M($id: ID!, $p: Int!) { moveTask(id: $id, position: $p) { id } }`,
      { id: task, p: 2 ** 31 },
      { token: a.token },
    );
    expect(big.status).toBe(400);
    expectBadInput(big.errors![0]!, 'p');
    const ids = Array.from({ length: 70_000 }, () => 'x');
    const many = await s.gql(
      `mutation M($ids: [ID!]) { markNotificationsRead(ids: $ids) }`,
      { ids },
      { token: a.token },
    );
    expect(many.status).toBe(400);
    expectBadInput(many.errors![0]!, 'ids');
    expectBadInput(
      await s.fail(
        `mutation M($l: [ID!]!, $t: ID!) { setTaskLabels(taskId: $t, labelIds: $l) { id } }`,
        { t: task, l: ids.slice(0, 101) },
        { token: a.token },
      ),
      'labelIds',
    );
    // JSON nested 5,000 levels, written as text: a recursive encoder would overflow on it.
    const deep = `${'{"d":'.repeat(5000)}"leaf"${'}'.repeat(5000)}`;
    const query = `mutation M($v: JSON!) { upsertJournalEntry(input: { type: MORNING_PAGES, date: "2026-01-02", content: $v }) { id } }`;
    const res = await fetch(s.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: `{"query":${JSON.stringify(query)},"variables":{"v":${deep}}}`,
    });
    expect(res.status).toBe(400);
    expectBadInput(((await res.json()) as { errors: GqlError[] }).errors[0]!, 'content');
    // The server is still whole.
    expect((await s.ok(`{ me { id } }`, {}, { token: a.token })).me.id).toBe(a.userId);
  });

  it('refuses cursors that decode but carry the wrong types', async () => {
    const list = await createList(s, a);
    for (let i = 0; i < 3; i++) await createTask(s, a, list, { dueAt: `2026-0${i + 1}-01T00:00:00Z` });
    const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const id = '00000000-0000-4000-8000-000000000000';
    const TASKS = `query T($l: ID!, $a: String, $o: TaskOrder) { taskList(id: $l) { tasks(first: 2, after: $a, orderBy: $o) { edges { node { id } } } } }`;
    for (const [after, order] of [
      [cursor(['not-a-date', id]), { field: 'DUE_AT', direction: 'ASC' }],
      [cursor([12, id]), { field: 'CREATED_AT', direction: 'DESC' }],
      [cursor(['x', id]), { field: 'POSITION', direction: 'ASC' }],
      [cursor([1e12, id]), { field: 'POSITION', direction: 'ASC' }],
      [cursor(['SUPER', id]), { field: 'PRIORITY', direction: 'ASC' }],
      [cursor([1, 'not-a-uuid']), { field: 'POSITION', direction: 'ASC' }],
    ] as const) {
      expectBadInput(await s.fail(TASKS, { l: list, a: after, o: order }, { token: a.token }), 'after');
    }
    expectBadInput(
      await s.fail(
        `query Q($a: String) { notifications(after: $a) { totalCount } }`,
        { a: cursor(['seven', id]) },
        { token: a.token },
      ),
      'after',
    );
    expectBadInput(
      await s.fail(
        `query Q($a: String) { journalEntries(after: $a) { totalCount } }`,
        { a: cursor(['2026-99-99', id]) },
        { token: a.token },
      ),
      'after',
    );
  });
});

describe('text the database cannot index', () => {
  it('refuses a document whose distinct words would not fit a tsvector, and an over-long login identifier', async () => {
    const words: string[] = [];
    for (let i = 0, size = 0; size < 1_000_000; i++) {
      const w = `w${i.toString(36)}x${(i * 7919).toString(36)}`;
      words.push(w);
      size += w.length + 1;
    }
    const res = await s.gql(
      `mutation D($c: String!) { createDocument(input: { title: "big", content: $c }) { id } }`,
      { c: words.join(' ') },
      { token: a.token },
    );
    expectBadInput(res.errors![0]!, 'content');
    expect((await s.ok(`{ documents { totalCount } }`, {}, { token: a.token })).documents.totalCount).toBe(0);
    const login = await s.gql(
      `mutation L($i: String!) { login(input: { identifier: $i, password: "whatever-password" }) { accessToken } }`,
      { i: 'x'.repeat(20_000) },
    );
    expectBadInput(login.errors![0]!, 'identifier');
  });
});

describe('variables and arguments', () => {
  it('answers HTTP 400 BAD_USER_INPUT for a missing or unparsable variable', async () => {
    const missing = await s.gql(
      `query Q($f: Date!) { journalEntries(from: $f) { totalCount } }`,
      {},
      { token: a.token },
    );
    expect(missing.status).toBe(400);
    expectBadInput(missing.errors![0]!, 'f');
    const wrong = await s.gql(
      `query Q($f: Date!) { journalEntries(from: $f) { totalCount } }`,
      { f: 'not-a-date' },
      { token: a.token },
    );
    expect(wrong.status).toBe(400);
    expectBadInput(wrong.errors![0]!, 'f');
    const nested = await s.gql(
      `mutation C($i: CreateEventInput!) { createEvent(input: $i) { id } }`,
      { i: { title: 'x', startsAt: 'soon', endsAt: '2026-01-01T00:00:00Z' } },
      { token: a.token },
    );
    expect(nested.status).toBe(400);
    expectBadInput(nested.errors![0]!, 'startsAt');
  });

  it('answers first above 100 (or below 0) with BAD_USER_INPUT, before any cost estimate', async () => {
    for (const first of [100_000, 101, -1]) {
      const res = await s.gql(`query Q($n: Int) { tasks(first: $n) { totalCount } }`, { n: first }, { token: a.token });
      expect(res.status).toBe(400);
      expectBadInput(res.errors![0]!, 'first');
    }
    expectBadInput(
      await s.fail(`{ taskLists { tasks(first: 100000) { totalCount } } }`, {}, { token: a.token }),
      'first',
    );
    expect(
      (await s.ok(`{ tasks(first: 100) { totalCount } }`, {}, { token: a.token })).tasks.totalCount,
    ).toBeGreaterThan(0);
  });
});

describe('usage counters', () => {
  it('refuse out-of-range token counts before writing, and no stored value breaks reads', async () => {
    const u = await s.register();
    const RECORD = `mutation R($p: Int!, $c: Int!) { recordUsage(input: { model: "ext", promptTokens: $p, completionTokens: $c }) { tokensUsed } }`;
    expectBadInput(await s.fail(RECORD, { p: 2147483647, c: 1 }, { token: u.token }), 'promptTokens');
    expectBadInput(await s.fail(RECORD, { p: 1, c: 10_000_001 }, { token: u.token }), 'completionTokens');
    expect((await s.ok(`{ usage { tokensUsed requestCount } }`, {}, { token: u.token })).usage).toEqual({
      tokensUsed: 0,
      requestCount: 0,
    });
    // Whatever the counters hold (here 5 billion, more than GraphQL's Int), every read still answers.
    await s.ok(RECORD, { p: 10, c: 10 }, { token: u.token });
    await execRows(s.server.app.db, sql`update monthly_usage set tokens_used = 5000000000 where user_id = ${u.userId}`);
    const usage = await s.ok(
      `{ usage { tokensUsed remainingTokens } dashboard { usage { tokensUsed } } }`,
      {},
      { token: u.token },
    );
    expect(usage.usage).toEqual({ tokensUsed: 2147483647, remainingTokens: 0 });
    expect(usage.dashboard.usage.tokensUsed).toBe(2147483647);
    const conv = (await s.ok(`mutation { createConversation { id } }`, {}, { token: u.token })).createConversation.id;
    const sent = await s.ok(
      `mutation M($c: ID!) { sendMessage(conversationId: $c, content: "hello") { userMessage { content } usage { remainingTokens } } }`,
      { c: conv },
      { token: u.token },
    );
    expect(sent.sendMessage).toEqual({ userMessage: { content: 'hello' }, usage: { remainingTokens: 0 } });
  });
});

describe('journal streaks', () => {
  it("count days up to today in the user's zone, never future entries", async () => {
    const u = await s.register({ timezone: 'Pacific/Kiritimati', password: PASSWORD });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date());
    const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const UPSERT = `mutation U($d: Date!) { upsertJournalEntry(input: { type: DAILY_REFLECTION, date: $d, content: "x" }) { id } }`;
    const STREAK = `{ journalStreak(type: DAILY_REFLECTION) { current longest lastEntryDate } }`;
    for (const n of [2, 3, 4]) await s.ok(UPSERT, { d: day(n) }, { token: u.token });
    expect((await s.ok(STREAK, {}, { token: u.token })).journalStreak).toEqual({
      current: 0,
      longest: 0,
      lastEntryDate: null,
    });
    for (const n of [-1, 0]) await s.ok(UPSERT, { d: day(n) }, { token: u.token });
    expect((await s.ok(STREAK, {}, { token: u.token })).journalStreak).toEqual({
      current: 2,
      longest: 2,
      lastEntryDate: today,
    });
  });
});
