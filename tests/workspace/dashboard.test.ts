import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dateInZone, startOfDay } from '../../src/shared/zones.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { createList, createTask } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const DASHBOARD = `{ dashboard { openTaskCount dueTodayCount overdueCount upcomingEvents(limit: 2) { title } journalStreaks { type current }
  unreadNotificationCount usage { tokensUsed tokenLimit } } }`;

describe('dashboard', () => {
  it("counts in the user's timezone, in a bounded number of statements", async () => {
    const zone = 'Pacific/Auckland';
    const a = await s.register({ timezone: zone });
    const today = dateInZone(new Date(), zone);
    const list = await createList(s, a, 'Mine');
    const at = (day: string, hour: number) =>
      new Date(startOfDay(day, zone).getTime() + hour * 3_600_000).toISOString();
    await createTask(s, a, list, { title: 'due today, late', dueAt: at(today, 23) });
    await createTask(s, a, list, { title: 'due today, early', dueAt: at(today, 0) });
    await createTask(s, a, list, { title: 'overdue', dueAt: at(addDays(today, -1), 12) });
    await createTask(s, a, list, { title: 'done and overdue', dueAt: at(addDays(today, -1), 12), status: 'DONE' });
    await createTask(s, a, list, { title: 'tomorrow', dueAt: at(addDays(today, 1), 1) });
    const soon = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    for (const [title, h] of [
      ['in 1h', 1],
      ['in 2h', 2],
      ['in 3h', 3],
      ['next month', 24 * 30],
    ] as const) {
      await s.ok(
        `mutation C($i: CreateEventInput!) { createEvent(input: $i) { id } }`,
        { i: { title, startsAt: soon(h), endsAt: soon(h + 1) } },
        { token: a.token },
      );
    }
    await s.ok(
      `mutation U($d: Date!) { upsertJournalEntry(input: { type: MORNING_PAGES, date: $d, content: "x" }) { id } }`,
      { d: today },
      { token: a.token },
    );
    await s.ok(
      `mutation { recordUsage(input: { model: "m", promptTokens: 5, completionTokens: 5 }) { tokensUsed } }`,
      {},
      { token: a.token },
    );

    const { result, reports } = await s.reports(() => s.ok(DASHBOARD, {}, { token: a.token }));
    expect(result.dashboard).toEqual({
      openTaskCount: 4,
      dueTodayCount: 2,
      overdueCount: 1,
      upcomingEvents: [{ title: 'in 1h' }, { title: 'in 2h' }],
      journalStreaks: [
        { type: 'MORNING_PAGES', current: 1 },
        { type: 'DAILY_REFLECTION', current: 0 },
        { type: 'WEEKLY_REVIEW', current: 0 },
      ],
      unreadNotificationCount: 0,
      usage: { tokensUsed: 10, tokenLimit: 100000 },
    });
    // Authentication, task counts, events, streaks, unread count, usage.
    expect(reports[0]!.statements).toBeLessThanOrEqual(6);
    console.log(`dashboard: ${reports[0]!.statements} statements`);
  });
});

describe('exportMyData', () => {
  it('holds everything the user owns and no secret', async () => {
    const a = await s.register({ name: 'Exporter' });
    const list = await createList(s, a, 'Export list');
    const task = await createTask(s, a, list, { title: 'Export task' });
    await s.ok(`mutation { createLabel(input: { name: "exported" }) { id } }`, {}, { token: a.token });
    await s.ok(
      `mutation { createEvent(input: { title: "Export event", startsAt: "2026-09-01T10:00:00Z", endsAt: "2026-09-01T11:00:00Z" }) { id } }`,
      {},
      { token: a.token },
    );
    await s.ok(
      `mutation { createDocument(input: { title: "Export doc", content: "body" }) { id } }`,
      {},
      { token: a.token },
    );
    await s.ok(`mutation { createTag(input: { name: "t" }) { id } }`, {}, { token: a.token });
    await s.ok(
      `mutation { upsertJournalEntry(input: { type: DAILY_REFLECTION, date: "2026-09-01", content: { a: 1 } }) { id } }`,
      {},
      { token: a.token },
    );
    const conv = (await s.ok(`mutation { createConversation(title: "Export chat") { id } }`, {}, { token: a.token }))
      .createConversation.id;
    await s.ok(
      `mutation S($c: ID!) { sendMessage(conversationId: $c, content: "hello export") { userMessage { id } } }`,
      { c: conv },
      { token: a.token },
    );
    await s.ok(
      `mutation { createApiKey(input: { name: "export key", scopes: [READ] }) { secret } }`,
      {},
      { token: a.token },
    );
    await s.ok(
      `mutation { recordUsage(input: { model: "m", promptTokens: 1, completionTokens: 2 }) { tokensUsed } }`,
      {},
      { token: a.token },
    );
    const data = (await s.ok(`{ exportMyData }`, {}, { token: a.token })).exportMyData;
    expect(data.profile).toMatchObject({ id: a.userId, email: a.email, name: 'Exporter' });
    expect(data.taskLists.map((l: any) => l.name)).toEqual(['Export list']);
    expect(data.tasks.map((t: any) => t.id)).toEqual([task]);
    expect(data.labels).toHaveLength(1);
    expect(data.events.map((e: any) => e.title)).toEqual(['Export event']);
    expect(data.documents.map((d: any) => d.title)).toEqual(['Export doc']);
    expect(data.tags).toHaveLength(1);
    expect(data.journalEntries).toHaveLength(1);
    expect(data.conversations.map((c: any) => c.title)).toEqual(['Export chat']);
    expect(data.messages.map((m: any) => m.content)).toEqual(['hello export']);
    expect(data.apiKeys.map((k: any) => k.name)).toEqual(['export key']);
    expect(data.usageRecords).toHaveLength(1);
    expect(data.monthlyUsage[0].tokensUsed).toBe(3);
    expect(data.activities.length).toBeGreaterThan(5);
    const text = JSON.stringify(data);
    expect(text).not.toMatch(/passwordHash|keyHash|tokenHash|\$argon2/);
    expect(data.documents[0]).not.toHaveProperty('search');
    const other = await s.register();
    expect(JSON.stringify((await s.ok(`{ exportMyData }`, {}, { token: other.token })).exportMyData)).not.toContain(
      'Export list',
    );
  });
});
