import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dateInZone } from '../../src/shared/zones.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const UPSERT = `mutation U($i: UpsertJournalEntryInput!) { upsertJournalEntry(input: $i) { id date wordCount content } }`;
const STREAK = `query S($t: JournalEntryType!) { journalStreak(type: $t) { current longest lastEntryDate } }`;
const write = (who: Account, type: string, date: string, content: unknown = { text: 'a few words here' }) =>
  s.ok(UPSERT, { i: { type, date, content } }, { token: who.token });
const streak = async (who: Account, type: string) =>
  (await s.ok(STREAK, { t: type }, { token: who.token })).journalStreak;

describe('journal', () => {
  it('upserts one entry per (type, date) and counts the words of every string in the content', async () => {
    const a = await s.register();
    const first = (
      await write(a, 'MORNING_PAGES', '2026-01-05', {
        title: 'Hello there',
        blocks: [{ text: 'one two three' }, 42, ['four']],
      })
    ).upsertJournalEntry;
    expect(first.wordCount).toBe(6);
    const again = (await write(a, 'MORNING_PAGES', '2026-01-05', 'replaced text')).upsertJournalEntry;
    expect(again).toMatchObject({ id: first.id, content: 'replaced text', wordCount: 2 });
    const list = (await s.ok(`{ journalEntries(type: MORNING_PAGES) { totalCount } }`, {}, { token: a.token }))
      .journalEntries;
    expect(list.totalCount).toBe(1);
    const big = await s.fail(
      UPSERT,
      { i: { type: 'MORNING_PAGES', date: '2026-01-06', content: 'x'.repeat(300 * 1024) } },
      { token: a.token },
    );
    expect(big.extensions?.fields).toEqual({ content: 'JSON must be at most 256 KB' });
    expect(
      (await s.fail(UPSERT, { i: { type: 'MORNING_PAGES', date: '2026-02-30', content: {} } }, { token: a.token }))
        .extensions?.code,
    ).toBe('BAD_USER_INPUT');
  });

  it("counts daily streaks in the user's timezone: alive through yesterday, broken by a one-day gap", async () => {
    const a = await s.register({ timezone: 'Pacific/Auckland' });
    const today = dateInZone(new Date(), 'Pacific/Auckland');
    // yesterday, the day before, and three days ending five days ago (a one-day gap in between).
    for (const d of [-1, -2, -4, -5, -6]) await write(a, 'DAILY_REFLECTION', addDays(today, d));
    expect(await streak(a, 'DAILY_REFLECTION')).toEqual({ current: 2, longest: 3, lastEntryDate: addDays(today, -1) });
    await write(a, 'DAILY_REFLECTION', addDays(today, -3));
    expect(await streak(a, 'DAILY_REFLECTION')).toEqual({ current: 6, longest: 6, lastEntryDate: addDays(today, -1) });
    await write(a, 'DAILY_REFLECTION', today);
    expect((await streak(a, 'DAILY_REFLECTION')).current).toBe(7);
    // The other types are independent.
    expect(await streak(a, 'MORNING_PAGES')).toEqual({ current: 0, longest: 0, lastEntryDate: null });
  });

  it('a streak whose last day is two days ago is over', async () => {
    const a = await s.register({ timezone: 'America/Los_Angeles' });
    const today = dateInZone(new Date(), 'America/Los_Angeles');
    for (const d of [-2, -3]) await write(a, 'MORNING_PAGES', addDays(today, d));
    expect(await streak(a, 'MORNING_PAGES')).toMatchObject({ current: 0, longest: 2 });
  });

  it('counts weekly reviews by ISO week (Monday to Sunday)', async () => {
    const a = await s.register();
    const today = dateInZone(new Date(), 'UTC');
    const monday = addDays(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
    // Sunday of last week and Monday of this week are consecutive weeks; two entries in one week count once.
    await write(a, 'WEEKLY_REVIEW', addDays(monday, -1));
    await write(a, 'WEEKLY_REVIEW', addDays(monday, -3));
    await write(a, 'WEEKLY_REVIEW', addDays(monday, -8));
    expect(await streak(a, 'WEEKLY_REVIEW')).toEqual({ current: 2, longest: 2, lastEntryDate: addDays(monday, -1) });
    // Four weeks ago leaves a gap week; three weeks ago closes it into a run of three.
    await write(a, 'WEEKLY_REVIEW', addDays(monday, -28));
    expect((await streak(a, 'WEEKLY_REVIEW')).longest).toBe(2);
    await write(a, 'WEEKLY_REVIEW', addDays(monday, -21));
    expect(await streak(a, 'WEEKLY_REVIEW')).toMatchObject({ current: 4, longest: 4 });
  });

  it("another user's entry is NOT_FOUND", async () => {
    const [a, b] = [await s.register(), await s.register()];
    const e = (await write(a, 'MORNING_PAGES', '2026-02-01')).upsertJournalEntry;
    expect(
      (await s.fail(`mutation D($id: ID!) { deleteJournalEntry(id: $id) }`, { id: e.id }, { token: b.token }))
        .extensions?.code,
    ).toBe('NOT_FOUND');
    expect(
      (await s.ok(`{ journalEntry(type: MORNING_PAGES, date: "2026-02-01") { id } }`, {}, { token: b.token }))
        .journalEntry,
    ).toBeNull();
  });
});
