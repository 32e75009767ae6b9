import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { execRows } from '../../db/client.js';
import { journalEntries } from '../../db/schema/index.js';
import { InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import { recordActivity } from '../activity/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { countWordsInJson } from '../../shared/words.js';
import { type JournalRow, type JournalStreak, JournalEntryType, type UpsertJournalEntryInput } from './journal.type.js';

const CONTENT_MAX_BYTES = 256 * 1024;

export class JournalService {
  constructor(private readonly app: App) {}

  /** One entry per (user, type, date): creates it or replaces its content. */
  async upsert(viewer: Viewer, input: UpsertJournalEntryInput): Promise<JournalRow> {
    const json = JSON.stringify(input.content ?? null);
    if (input.content === undefined || input.content === null) throw new InputError({ content: 'Content is required' });
    if (Buffer.byteLength(json) > CONTENT_MAX_BYTES)
      throw new InputError({ content: 'Content must be at most 256 KB' });
    const wordCount = countWordsInJson(input.content);
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(journalEntries)
        .values({ userId: viewer.userId, type: input.type, date: input.date, content: input.content, wordCount })
        .onConflictDoUpdate({
          target: [journalEntries.userId, journalEntries.type, journalEntries.date],
          set: { content: input.content, wordCount, updatedAt: new Date() },
        })
        .returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'journal.saved',
        entityType: 'journal_entry',
        entityId: row!.id,
        summary: `Wrote ${input.type.toLowerCase().replace('_', ' ')} for ${input.date}`,
      });
      return row!;
    });
  }

  async list(
    viewer: Viewer,
    type: JournalEntryType | null | undefined,
    from: string | null | undefined,
    to: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<JournalRow>> {
    const page = pageRequest(first, after);
    const scope = and(
      eq(journalEntries.userId, viewer.userId),
      type ? eq(journalEntries.type, type) : undefined,
      from ? gte(journalEntries.date, from) : undefined,
      to ? lte(journalEntries.date, to) : undefined,
    );
    return keysetPage(
      page,
      {
        expr: journalEntries.date,
        id: journalEntries.id,
        dir: 'DESC',
        cast: cursorCast.date,
        cursorOf: (r) => [r.date, r.id],
      },
      (past, order, limit) =>
        this.app.db
          .select()
          .from(journalEntries)
          .where(and(scope, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, journalEntries, scope),
    );
  }

  async get(viewer: Viewer, type: JournalEntryType, date: string): Promise<JournalRow | null> {
    const [row] = await this.app.db
      .select()
      .from(journalEntries)
      .where(
        and(eq(journalEntries.userId, viewer.userId), eq(journalEntries.type, type), eq(journalEntries.date, date)),
      );
    return row ?? null;
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db
      .delete(journalEntries)
      .where(and(eq(journalEntries.id, parseId(id, 'Journal entry')), eq(journalEntries.userId, viewer.userId)))
      .returning({ id: journalEntries.id });
    if (!row) throw new NotFoundError('Journal entry');
    return row.id;
  }

  /**
   * Streaks of every type in one statement (gaps and islands): consecutive days, or ISO weeks for
   * WEEKLY_REVIEW, in the user's timezone. The current streak is alive while its last day is today
   * or yesterday (this week or last week).
   */
  async streaks(viewer: Viewer, types: JournalEntryType[] = Object.values(JournalEntryType)): Promise<JournalStreak[]> {
    const zone = viewer.user.timezone;
    const rows = await execRows<{ type: JournalEntryType; longest: number; current: number; last_date: string | null }>(
      this.app.db,
      sql`
      with today as (select (now() at time zone ${zone})::date as d),
      units as (
        select distinct type, date as day,
          case when type = 'WEEKLY_REVIEW' then date_trunc('week', date)::date else date end as unit
        from ${journalEntries}
        -- Entries dated after today (in the user's zone) are kept but count toward no streak.
        where ${journalEntries.userId} = ${viewer.userId} and date <= (select d from today)
      ),
      distinct_units as (select type, unit, max(day) as last_day from units group by type, unit),
      numbered as (
        select type, unit, last_day,
          unit - (case when type = 'WEEKLY_REVIEW' then 7 else 1 end) * (row_number() over (partition by type order by unit))::int as island
        from distinct_units
      ),
      islands as (select type, count(*)::int as len, max(unit) as last_unit, max(last_day) as last_day from numbered group by type, island)
      select i.type::text as type, max(i.len)::int as longest,
        coalesce(max(i.len) filter (where i.last_unit >= (case when i.type = 'WEEKLY_REVIEW' then date_trunc('week', t.d)::date - 7 else t.d - 1 end)), 0)::int as current,
        to_char(max(i.last_day), 'YYYY-MM-DD') as last_date
      from islands i cross join today t group by i.type`,
    );
    const byType = new Map(rows.map((r) => [r.type, r]));
    return types.map((type) => {
      const r = byType.get(type);
      return {
        type,
        current: Number(r?.current ?? 0),
        longest: Number(r?.longest ?? 0),
        lastEntryDate: r?.last_date ?? null,
      };
    });
  }
}
