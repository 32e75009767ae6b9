import { and, eq, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { conversations, monthlyUsage, usageRecords, usageReservations } from '../../db/schema/index.js';
import { RESERVATION_MINUTES, releaseLapsed } from './reservations.js';
import { AppError, ConflictError, ErrorCode, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { Tier } from '../users/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { createNotifications } from '../notifications/index.js';
import { audioLimits } from './audio.js';
import { WARNING_SHARE, currentMonth, tierLimits } from './tiers.js';
import type { MonthlyUsage, RecordUsageInput, UsageReservationRow } from './usage.type.js';

/** The most tokens of either kind one reported model call may carry (recordUsage). */
export const MAX_TOKENS_PER_CALL = 10_000_000;
const INT_MAX = 2 ** 31 - 1;

export interface UsageCall {
  model: string;
  promptTokens: number;
  completionTokens: number;
  conversationId?: string | null;
}

/** Token budgets: records, the month's aggregate, reservations for calls in flight, the 80% warning. */
export class UsageService {
  constructor(private readonly app: App) {}

  limitOf(tier: Tier): number {
    return tierLimits(this.app.config)[tier];
  }

  async get(viewer: Viewer, month?: string | null, q: Queryable = this.app.db): Promise<MonthlyUsage> {
    const m = month ?? currentMonth();
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) throw new InputError({ month: 'Month must be YYYY-MM' });
    const [row] = await q
      .select()
      .from(monthlyUsage)
      .where(and(eq(monthlyUsage.userId, viewer.userId), eq(monthlyUsage.month, m)));
    return this.view(
      m,
      viewer.user.tier as Tier,
      row?.tokensUsed ?? 0,
      row?.requestCount ?? 0,
      row?.audioSecondsUsed ?? 0,
    );
  }

  /**
   * What the API shows. The stored counters are bigint; GraphQL's Int holds 32 bits, so each figure is
   * capped at its largest value rather than failing every read of the month.
   */
  view(month: string, tier: Tier, used: number, requests: number, audioSeconds: number): MonthlyUsage {
    const limit = this.limitOf(tier);
    const int = (n: number) => Math.min(Math.max(0, Number(n)), INT_MAX);
    return {
      month,
      tokensUsed: int(used),
      tokenLimit: int(limit),
      remainingTokens: int(limit - used),
      requestCount: int(requests),
      audioSecondsUsed: int(audioSeconds),
      audioSecondsLimit: int(audioLimits(this.app.config)[tier]),
    };
  }

  /**
   * reserveUsage: an external agent holds tokens for a call it is about to make. Refused with
   * USAGE_LIMIT_EXCEEDED once used + reserved reaches the limit; lapses after RESERVATION_MINUTES.
   */
  async reserveForAgent(viewer: Viewer, estimatedTokens: number): Promise<UsageReservationRow> {
    if (!Number.isInteger(estimatedTokens) || estimatedTokens < 1 || estimatedTokens > MAX_TOKENS_PER_CALL) {
      throw new InputError({
        estimatedTokens: `Must be a whole number from 1 to ${MAX_TOKENS_PER_CALL.toLocaleString('en-US')}`,
      });
    }
    return this.app.db.transaction(async (tx) => {
      await releaseLapsed(tx, viewer.userId);
      await this.reserve(viewer, estimatedTokens, tx);
      const [row] = await tx
        .insert(usageReservations)
        .values({
          userId: viewer.userId,
          month: currentMonth(),
          estimatedTokens,
          expiresAt: sql`now() + make_interval(mins => ${RESERVATION_MINUTES})` as never,
        })
        .returning();
      return row!;
    });
  }

  /** Settles a reservation in the recording transaction: once only (CONFLICT after), the viewer's only. */
  private async settle(tx: Queryable, viewer: Viewer, reservationId: string): Promise<void> {
    const id = parseId(reservationId, 'Reservation');
    const [r] = await tx
      .select()
      .from(usageReservations)
      .where(and(eq(usageReservations.id, id), eq(usageReservations.userId, viewer.userId)))
      .for('update');
    if (!r) throw new NotFoundError('Reservation');
    if (r.settledAt) throw new ConflictError('This reservation was settled already', 'reservationId');
    await tx
      .update(usageReservations)
      .set({ settledAt: sql`now()` })
      .where(eq(usageReservations.id, id));
    // A lapsed reservation gave its tokens back already; otherwise they leave the month that held them.
    if (!r.releasedAt) {
      await tx
        .update(monthlyUsage)
        .set({ reservedTokens: sql`greatest(0, ${monthlyUsage.reservedTokens} - ${r.estimatedTokens})` })
        .where(and(eq(monthlyUsage.userId, viewer.userId), eq(monthlyUsage.month, r.month)));
    }
  }

  /** recordUsage: an external agent reports a model call (session or WRITE API key). */
  async record(viewer: Viewer, input: RecordUsageInput): Promise<MonthlyUsage> {
    const p = new FieldProblems();
    const model = input.model.trim();
    p.check(model.length >= 1 && model.length <= 100, 'model', 'Model must be 1-100 characters');
    const range = `Must be a whole number from 0 to ${MAX_TOKENS_PER_CALL.toLocaleString('en-US')}`;
    p.check(
      Number.isInteger(input.promptTokens) && input.promptTokens >= 0 && input.promptTokens <= MAX_TOKENS_PER_CALL,
      'promptTokens',
      range,
    );
    p.check(
      Number.isInteger(input.completionTokens) &&
        input.completionTokens >= 0 &&
        input.completionTokens <= MAX_TOKENS_PER_CALL,
      'completionTokens',
      range,
    );
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      let conversationId: string | null = null;
      if (input.conversationId) {
        const id = parseId(input.conversationId, 'Conversation');
        const [c] = await tx
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.id, id), eq(conversations.userId, viewer.userId)));
        if (!c) throw new NotFoundError('Conversation');
        conversationId = c.id;
      }
      if (input.reservationId) await this.settle(tx, viewer, input.reservationId);
      return this.add(
        tx,
        viewer,
        { model, promptTokens: input.promptTokens, completionTokens: input.completionTokens, conversationId },
        0,
      );
    });
  }

  /**
   * Holds `estimate` tokens for a model call about to start. It starts only while used + reserved is
   * under the limit, checked and updated in one statement, so concurrent calls overshoot the budget
   * by at most one call. Throws USAGE_LIMIT_EXCEEDED otherwise.
   */
  async reserve(viewer: Viewer, estimate: number, q: Queryable = this.app.db): Promise<void> {
    const month = currentMonth();
    const limit = this.limitOf(viewer.user.tier as Tier);
    await q.insert(monthlyUsage).values({ userId: viewer.userId, month }).onConflictDoNothing();
    const held = await q
      .update(monthlyUsage)
      .set({ reservedTokens: sql`${monthlyUsage.reservedTokens} + ${estimate}` })
      .where(
        and(
          eq(monthlyUsage.userId, viewer.userId),
          eq(monthlyUsage.month, month),
          sql`${monthlyUsage.tokensUsed} + ${monthlyUsage.reservedTokens} < ${limit}`,
        ),
      )
      .returning({ month: monthlyUsage.month });
    if (held.length === 0) {
      throw new AppError(
        ErrorCode.USAGE_LIMIT_EXCEEDED,
        `The monthly token budget of the ${viewer.user.tier} tier is spent`,
        { tokenLimit: limit },
      );
    }
  }

  /**
   * Holds tokens for a call Orbit itself makes, as a reservation row: given back by `releaseHold`
   * when the call fails, settled by `settleHold` when it is metered, and lapsed by the sweep after
   * RESERVATION_MINUTES if the process died in between, so no estimate stays held.
   */
  async hold(viewer: Viewer, estimate: number): Promise<string> {
    await this.reserve(viewer, estimate);
    const [row] = await this.app.db
      .insert(usageReservations)
      .values({
        userId: viewer.userId,
        month: currentMonth(),
        estimatedTokens: estimate,
        expiresAt: sql`now() + make_interval(mins => ${RESERVATION_MINUTES})` as never,
      })
      .returning({ id: usageReservations.id });
    return row!.id;
  }

  /** Gives back a hold whose call failed (unless it lapsed already). */
  async releaseHold(viewer: Viewer, holdId: string): Promise<void> {
    const [r] = await this.app.db
      .update(usageReservations)
      .set({ releasedAt: sql`now()` })
      .where(
        and(
          eq(usageReservations.id, holdId),
          sql`${usageReservations.settledAt} is null and ${usageReservations.releasedAt} is null`,
        ),
      )
      .returning({ month: usageReservations.month, n: usageReservations.estimatedTokens });
    if (r) await this.release(viewer, r.n, r.month);
  }

  /** Settles a hold in the metering transaction; the tokens it still holds, to release with the record. */
  async settleHold(tx: Queryable, holdId: string): Promise<number> {
    const [r] = await tx
      .update(usageReservations)
      .set({ settledAt: sql`now()` })
      .where(
        and(
          eq(usageReservations.id, holdId),
          sql`${usageReservations.settledAt} is null and ${usageReservations.releasedAt} is null`,
        ),
      )
      .returning({ n: usageReservations.estimatedTokens });
    return r?.n ?? 0;
  }

  /** Gives back reserved tokens of a month (the call failed). */
  async release(viewer: Viewer, estimate: number, month = currentMonth()): Promise<void> {
    await this.app.db
      .update(monthlyUsage)
      .set({ reservedTokens: sql`greatest(0, ${monthlyUsage.reservedTokens} - ${estimate})` })
      .where(and(eq(monthlyUsage.userId, viewer.userId), eq(monthlyUsage.month, month)));
  }

  /** Writes the record and updates the aggregate atomically (releasing `reserved`); sends the 80% warning once a month. */
  async add(tx: Queryable, viewer: Viewer, call: UsageCall, reserved: number): Promise<MonthlyUsage> {
    const month = currentMonth();
    const tokens = call.promptTokens + call.completionTokens;
    await tx
      .insert(usageRecords)
      .values({ userId: viewer.userId, ...call, conversationId: call.conversationId ?? null });
    const [row] = await tx
      .insert(monthlyUsage)
      .values({ userId: viewer.userId, month, tokensUsed: tokens, requestCount: 1 })
      .onConflictDoUpdate({
        target: [monthlyUsage.userId, monthlyUsage.month],
        set: {
          tokensUsed: sql`${monthlyUsage.tokensUsed} + ${tokens}`,
          requestCount: sql`${monthlyUsage.requestCount} + 1`,
          reservedTokens: sql`greatest(0, ${monthlyUsage.reservedTokens} - ${reserved})`,
        },
      })
      .returning();
    const limit = this.limitOf(viewer.user.tier as Tier);
    if (row!.tokensUsed >= limit * WARNING_SHARE) {
      const [first] = await tx
        .update(monthlyUsage)
        .set({ warnedAt: sql`now()` })
        .where(
          and(
            eq(monthlyUsage.userId, viewer.userId),
            eq(monthlyUsage.month, month),
            sql`${monthlyUsage.warnedAt} is null`,
          ),
        )
        .returning({ month: monthlyUsage.month });
      if (first) {
        const share = Math.min(100, Math.floor((row!.tokensUsed / limit) * 100));
        await createNotifications(tx, [
          {
            userId: viewer.userId,
            kind: 'USAGE_LIMIT_WARNING',
            title: `You have used ${share}% of this month's tokens`,
            body: `${row!.tokensUsed} of ${limit} tokens (${viewer.user.tier} tier) in ${month}.`,
          },
        ]);
      }
    }
    return this.view(month, viewer.user.tier as Tier, row!.tokensUsed, row!.requestCount, row!.audioSecondsUsed);
  }
}
