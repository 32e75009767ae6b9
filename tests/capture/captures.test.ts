import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { createList } from '../tasks/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const gql = (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  s.ok(query, variables, { token: who.token });
const fail = async (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  (await s.fail(query, variables, { token: who.token })).extensions;

const FIELDS = `id source status text error processedAt suggestions { id kind status missing sourceText error confidence
  draft { __typename ... on TaskDraft { listId projectId title notes dueAt dueAllDay priority labelIds }
    ... on EventDraft { title startsAt endsAt allDay } ... on JournalDraft { type date text append }
    ... on DocumentDraft { title content } }
  result { __typename ... on Task { id title list { id } } ... on CalendarEvent { id title } ... on JournalEntry { id content }
    ... on Document { id title } } }`;
const CREATE = `mutation C($i: CreateCaptureInput!) { createCapture(input: $i) { ${FIELDS} } }`;
const ACCEPT = `mutation A($id: ID!, $e: SuggestionEdit) { acceptCaptureSuggestion(id: $id, edit: $e) { id status error
  result { __typename ... on Task { id title } ... on CalendarEvent { id title } ... on JournalEntry { id content } ... on Document { id title } } } }`;
const EDIT = `mutation E($id: ID!, $e: SuggestionEdit!) { updateCaptureSuggestion(id: $id, edit: $e) { id kind status
  draft { __typename ... on EventDraft { title startsAt endsAt } ... on TaskDraft { title listId } ... on JournalDraft { date text append } } } }`;
const capture = async (who: Account, id: string) =>
  (await gql(who, `query Q($id: ID!) { capture(id: $id) { ${FIELDS} } }`, { id })).capture;

describe('text captures', () => {
  it('triages each line with the quick-add grammar into task suggestions, nothing saved until accepted', async () => {
    const a = await s.register();
    const work = await createList(s, a, 'Work');
    await createList(s, a, 'Home');
    const c = (
      await gql(a, CREATE, {
        i: { text: 'Call Ann tomorrow p1\n\n  Buy milk #home // semi-skimmed\r\nPlan "The 5th Wave" talk' },
      })
    ).createCapture;
    expect(c).toMatchObject({ source: 'APP', status: 'NEEDS_REVIEW', text: expect.stringContaining('Buy milk') });
    expect(c.processedAt).not.toBeNull();
    expect(c.suggestions.map((x: any) => [x.kind, x.status, x.sourceText, x.confidence, x.missing])).toEqual([
      ['TASK', 'PROPOSED', 'Call Ann tomorrow p1', null, []],
      ['TASK', 'PROPOSED', 'Buy milk #home // semi-skimmed', null, []],
      ['TASK', 'PROPOSED', 'Plan "The 5th Wave" talk', null, []],
    ]);
    const [call, milk, plan] = c.suggestions.map((x: any) => x.draft);
    expect(call).toMatchObject({
      __typename: 'TaskDraft',
      title: 'Call Ann',
      priority: 'URGENT',
      dueAllDay: true,
      listId: work,
    });
    expect(milk).toMatchObject({ title: 'Buy milk', notes: 'semi-skimmed', dueAt: null });
    expect(milk.listId).not.toBe(work);
    expect(plan).toMatchObject({ title: 'Plan "The 5th Wave" talk', dueAt: null, listId: work });
    expect((await gql(a, `{ tasks { totalCount } }`)).tasks.totalCount).toBe(0);

    // Accepting makes the task as the viewer, once; the capture is DONE when every suggestion is decided.
    const done = (await gql(a, ACCEPT, { id: c.suggestions[0].id })).acceptCaptureSuggestion;
    expect(done).toMatchObject({ status: 'ACCEPTED', result: { __typename: 'Task', title: 'Call Ann' } });
    const again = (await gql(a, ACCEPT, { id: c.suggestions[0].id })).acceptCaptureSuggestion;
    expect(again.result.id).toBe(done.result.id);
    expect((await gql(a, `{ tasks { totalCount } }`)).tasks.totalCount).toBe(1);
    await gql(a, `mutation R($id: ID!) { rejectCaptureSuggestion(id: $id) { status } }`, { id: c.suggestions[2].id });
    expect((await capture(a, c.id)).status).toBe('NEEDS_REVIEW');
    expect((await fail(a, ACCEPT, { id: c.suggestions[2].id }))?.code).toBe('CONFLICT');
    expect(
      (
        await fail(a, `mutation R($id: ID!) { rejectCaptureSuggestion(id: $id) { status } }`, {
          id: c.suggestions[0].id,
        })
      )?.code,
    ).toBe('CONFLICT');
    await gql(a, ACCEPT, { id: c.suggestions[1].id });
    expect((await capture(a, c.id)).status).toBe('DONE');
    const verbs = await s.server.app.db
      .select({ verb: activities.verb })
      .from(activities)
      .where(and(eq(activities.actorId, a.userId), eq(activities.verb, 'capture.accept')));
    expect(verbs).toHaveLength(2);
  });

  it('checks the text, the source and the key; the same key within 24 h returns the first capture', async () => {
    const a = await s.register();
    for (const text of ['   ', 'x'.repeat(10_001), 'bell \u0007 here'])
      expect(await fail(a, CREATE, { i: { text } })).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { text: expect.any(String) },
      });
    for (const source of ['VOICE', 'EMAIL', 'ASSISTANT'])
      expect(await fail(a, CREATE, { i: { text: 'x', source } })).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { source: 'Clients may send APP, API or SHARE' },
      });
    const first = (await gql(a, CREATE, { i: { text: 'Once', clientKey: 'k-1', source: 'SHARE' } })).createCapture;
    const second = (await gql(a, CREATE, { i: { text: 'Something else', clientKey: 'k-1' } })).createCapture;
    expect(second).toMatchObject({ id: first.id, text: 'Once', source: 'SHARE' });
    const untriaged = (await gql(a, CREATE, { i: { text: 'Later', triage: false } })).createCapture;
    expect(untriaged).toMatchObject({ status: 'NEW', suggestions: [], processedAt: null });
    const list = (await gql(a, `{ captures(first: 10) { totalCount edges { node { id } } } }`)).captures;
    expect(list.totalCount).toBe(2);
    expect(list.edges.map((e: any) => e.node.id)).toEqual([untriaged.id, first.id]);
    const key = (await gql(a, `mutation { createApiKey(input: { name: "w", scopes: [WRITE] }) { secret } }`))
      .createApiKey.secret;
    const viaKey = await s.ok(
      `mutation { createCapture(input: { text: "from a script" }) { source } }`,
      {},
      { token: key },
    );
    expect(viaKey.createCapture.source).toBe('API');
  });

  it('says what is missing, edits drafts across kinds, and makes events, journal notes and documents', async () => {
    const a = await s.register({ timezone: 'Europe/Warsaw' });
    const c = (await gql(a, CREATE, { i: { text: 'Dentist friday\nFelt good today\nIdeas for the garden' } }))
      .createCapture;
    // No list of one's own: the task drafts miss listId, and accepting says so without deciding.
    expect(c.suggestions[0].missing).toEqual(['listId']);
    expect(await fail(a, ACCEPT, { id: c.suggestions[0].id })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { listId: expect.any(String) },
    });
    expect((await capture(a, c.id)).suggestions[0].status).toBe('PROPOSED');
    // An edit with two members, or none, is refused.
    expect(await fail(a, EDIT, { id: c.suggestions[0].id, e: {} })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(
      await fail(a, EDIT, { id: c.suggestions[0].id, e: { task: { title: 'x' }, document: { title: 'y' } } }),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    // Task → event: the title carries over, the end defaults to an hour after the start.
    const ev = (await gql(a, EDIT, { id: c.suggestions[0].id, e: { event: { startsAt: '2026-12-11T09:00:00Z' } } }))
      .updateCaptureSuggestion;
    expect(ev).toMatchObject({
      kind: 'EVENT',
      status: 'PROPOSED',
      draft: {
        __typename: 'EventDraft',
        title: 'Dentist',
        startsAt: '2026-12-11T09:00:00.000Z',
        endsAt: '2026-12-11T10:00:00.000Z',
      },
    });
    expect(await fail(a, EDIT, { id: c.suggestions[1].id, e: { event: { title: 'no start' } } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { startsAt: expect.any(String) },
    });
    const evDone = (await gql(a, ACCEPT, { id: c.suggestions[0].id })).acceptCaptureSuggestion;
    expect(evDone.result).toMatchObject({ __typename: 'CalendarEvent', title: 'Dentist' });
    // Task → journal: DAILY_REFLECTION of today, appended; a second note joins the first after a blank line.
    const j = (await gql(a, EDIT, { id: c.suggestions[1].id, e: { journal: { date: '2026-12-01' } } }))
      .updateCaptureSuggestion;
    // The grammar read "today" as the due date: the words left are the note.
    expect(j.draft).toEqual({ __typename: 'JournalDraft', date: '2026-12-01', text: 'Felt good', append: true });
    await gql(
      a,
      `mutation { upsertJournalEntry(input: { type: DAILY_REFLECTION, date: "2026-12-01", content: { text: "Morning run.", mood: 4 } }) { id } }`,
    );
    const jDone = (await gql(a, ACCEPT, { id: c.suggestions[1].id })).acceptCaptureSuggestion;
    expect(jDone.result).toMatchObject({
      __typename: 'JournalEntry',
      content: { text: 'Morning run.\n\nFelt good', mood: 4 },
    });
    // Accepting with an edit: task → document in one step.
    const d = (await gql(a, ACCEPT, { id: c.suggestions[2].id, e: { document: { content: 'Roses, a pond.' } } }))
      .acceptCaptureSuggestion;
    expect(d.result).toMatchObject({ __typename: 'Document', title: 'Ideas for the garden' });
    expect((await capture(a, c.id)).status).toBe('DONE');
  });

  it('a journal note for a day whose entry is not plain text FAILS, and may be edited, not accepted', async () => {
    const a = await s.register();
    await createList(s, a, 'L');
    await gql(
      a,
      `mutation { upsertJournalEntry(input: { type: DAILY_REFLECTION, date: "2026-11-30", content: [1, 2] }) { id } }`,
    );
    const c = (await gql(a, CREATE, { i: { text: 'A note' } })).createCapture;
    const id = c.suggestions[0].id;
    await gql(a, EDIT, { id, e: { journal: { date: '2026-11-30' } } });
    const failed = (await gql(a, ACCEPT, { id })).acceptCaptureSuggestion;
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'The entry of that day is not plain text: add it by hand',
      result: null,
    });
    expect(await fail(a, ACCEPT, { id })).toMatchObject({ code: 'BAD_USER_INPUT' });
    const fixed = (await gql(a, EDIT, { id, e: { journal: { date: '2026-11-29' } } })).updateCaptureSuggestion;
    expect(fixed.status).toBe('PROPOSED');
    expect((await gql(a, ACCEPT, { id })).acceptCaptureSuggestion.status).toBe('ACCEPTED');
  });

  it('corrects the text (decided suggestions stay), retriages, accepts all, archives and deletes', async () => {
    const a = await s.register();
    const list = await createList(s, a, 'L');
    const c = (await gql(a, CREATE, { i: { text: 'One\nTwo' } })).createCapture;
    await gql(a, ACCEPT, { id: c.suggestions[0].id });
    const fixed = (
      await gql(a, `mutation U($id: ID!, $t: String!) { updateCaptureText(id: $id, text: $t) { ${FIELDS} } }`, {
        id: c.id,
        t: 'One\nTwo, corrected\nThree p2',
      })
    ).updateCaptureText;
    expect(fixed.suggestions.map((x: any) => [x.status, x.draft.title])).toEqual([
      ['ACCEPTED', 'One'],
      ['PROPOSED', 'One'],
      ['PROPOSED', 'Two, corrected'],
      ['PROPOSED', 'Three'],
    ]);
    await gql(a, `mutation R($id: ID!) { rejectCaptureSuggestion(id: $id) { id } }`, { id: fixed.suggestions[1].id });
    const all = (
      await gql(a, `mutation A($id: ID!) { acceptCaptureSuggestions(captureId: $id) { ${FIELDS} } }`, { id: c.id })
    ).acceptCaptureSuggestions;
    expect(all.status).toBe('DONE');
    expect(all.suggestions.map((x: any) => x.status)).toEqual(['ACCEPTED', 'REJECTED', 'ACCEPTED', 'ACCEPTED']);
    const titles = (
      await gql(a, `query L($id: ID!) { taskList(id: $id) { tasks { edges { node { title priority } } } } }`, {
        id: list,
      })
    ).taskList.tasks.edges.map((e: any) => [e.node.title, e.node.priority]);
    expect(titles).toEqual([
      ['One', 'MEDIUM'],
      ['Two, corrected', 'MEDIUM'],
      ['Three', 'HIGH'],
    ]);
    // Triage again: decided suggestions stay, the text is read anew; an archived capture stays archived.
    const again = (
      await gql(a, `mutation T($id: ID!) { triageCapture(id: $id) { status suggestions { status } } }`, { id: c.id })
    ).triageCapture;
    expect(again.status).toBe('NEEDS_REVIEW');
    expect(again.suggestions.map((x: any) => x.status)).toEqual([
      'ACCEPTED',
      'REJECTED',
      'ACCEPTED',
      'ACCEPTED',
      'PROPOSED',
      'PROPOSED',
      'PROPOSED',
    ]);
    expect(
      (await gql(a, `mutation A($id: ID!) { archiveCapture(id: $id) { status } }`, { id: c.id })).archiveCapture.status,
    ).toBe('ARCHIVED');
    expect((await gql(a, `mutation D($id: ID!) { deleteCapture(id: $id) }`, { id: c.id })).deleteCapture).toBe(c.id);
    expect((await fail(a, `query Q($id: ID!) { capture(id: $id) { id } }`, { id: c.id }))?.code).toBe('NOT_FOUND');
    // Items already made stay.
    expect((await gql(a, `{ tasks { totalCount } }`)).tasks.totalCount).toBe(3);
  });

  it("keeps captures personal: another's capture or suggestion is NOT_FOUND; a READ key cannot write", async () => {
    const a = await s.register();
    const b = await s.register();
    await createList(s, a, 'L');
    const c = (await gql(a, CREATE, { i: { text: 'Mine' } })).createCapture;
    const sid = c.suggestions[0].id;
    for (const [q, v] of [
      [`query Q($id: ID!) { capture(id: $id) { id } }`, { id: c.id }],
      [`mutation Q($id: ID!) { updateCaptureText(id: $id, text: "x") { id } }`, { id: c.id }],
      [`mutation Q($id: ID!) { triageCapture(id: $id) { id } }`, { id: c.id }],
      [`mutation Q($id: ID!) { archiveCapture(id: $id) { id } }`, { id: c.id }],
      [`mutation Q($id: ID!) { deleteCapture(id: $id) }`, { id: c.id }],
      [`mutation Q($id: ID!) { acceptCaptureSuggestions(captureId: $id) { id } }`, { id: c.id }],
      [ACCEPT, { id: sid }],
      [`mutation Q($id: ID!) { rejectCaptureSuggestion(id: $id) { id } }`, { id: sid }],
      [EDIT, { id: sid, e: { task: { title: 'x' } } }],
    ] as const)
      expect((await fail(b, q, v))?.code, q).toBe('NOT_FOUND');
    expect((await gql(b, `{ captures { totalCount } }`)).captures.totalCount).toBe(0);
    const key = (await gql(a, `mutation { createApiKey(input: { name: "r", scopes: [READ] }) { secret } }`))
      .createApiKey.secret;
    expect((await s.fail(CREATE, { i: { text: 'x' } }, { token: key })).extensions?.code).toBe('FORBIDDEN');
    expect((await s.ok(`{ captures { totalCount } }`, {}, { token: key })).captures.totalCount).toBe(1);
  });
});
