import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { CalendarEvent } from '../calendar/index.js';
import { JournalStreak } from '../journal/index.js';
import { MonthlyUsage } from '../usage/index.js';
import { Dashboard } from './dashboard.type.js';
import type { TaskCounts } from './dashboard.service.js';

/** The three task counts come from one statement, shared by their fields through the context. */
const counts = new WeakMap<Context, Promise<TaskCounts>>();
function taskCounts(ctx: Context) {
  let p = counts.get(ctx);
  if (!p) counts.set(ctx, (p = ctx.services.dashboard.taskCounts(viewerOf(ctx))));
  return p;
}

@Resolver(() => Dashboard)
export class DashboardResolver {
  @Authorized()
  @Query(() => Dashboard)
  dashboard(): Dashboard {
    return {};
  }

  @FieldResolver(() => Int)
  async openTaskCount(@Ctx() ctx: Context) {
    return (await taskCounts(ctx)).open;
  }

  @FieldResolver(() => Int)
  async dueTodayCount(@Ctx() ctx: Context) {
    return (await taskCounts(ctx)).dueToday;
  }

  @FieldResolver(() => Int)
  async overdueCount(@Ctx() ctx: Context) {
    return (await taskCounts(ctx)).overdue;
  }

  @FieldResolver(() => [CalendarEvent], { description: 'The next 7 days' })
  upcomingEvents(@Arg('limit', () => Int, { nullable: true, defaultValue: 5 }) limit: number, @Ctx() ctx: Context) {
    return ctx.services.dashboard.upcoming(viewerOf(ctx), limit);
  }

  @FieldResolver(() => [JournalStreak])
  journalStreaks(@Ctx() ctx: Context) {
    return ctx.services.journal.streaks(viewerOf(ctx));
  }

  @FieldResolver(() => Int)
  unreadNotificationCount(@Ctx() ctx: Context) {
    return ctx.services.dashboard.unreadNotifications(viewerOf(ctx));
  }

  @FieldResolver(() => MonthlyUsage)
  usage(@Ctx() ctx: Context) {
    return ctx.services.usage.get(viewerOf(ctx));
  }
}
