import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { Tier } from '../users/index.js';
import { audioLimits } from './audio.js';
import { tierLimits } from './tiers.js';
import { MonthlyUsage, RecordUsageInput, TierLimits, UsageReservation } from './usage.type.js';

@Resolver()
export class UsageResolver {
  @Query(() => [TierLimits], { description: 'Monthly token budgets by tier' })
  tierLimits(@Ctx() ctx: Context): TierLimits[] {
    const limits = tierLimits(ctx.app.config);
    const audio = audioLimits(ctx.app.config);
    return Object.values(Tier).map((tier) => ({
      tier,
      monthlyTokenLimit: limits[tier],
      monthlyAudioSeconds: audio[tier],
    }));
  }

  @Authorized()
  @Query(() => MonthlyUsage, { description: 'The given month (YYYY-MM, UTC), the current one by default' })
  usage(@Arg('month', () => String, { nullable: true }) month: string | null, @Ctx() ctx: Context) {
    return ctx.services.usage.get(viewerOf(ctx), month);
  }

  @Authorized()
  @Mutation(() => UsageReservation, {
    description:
      'Holds tokens for a model call made elsewhere (1 to 10,000,000); USAGE_LIMIT_EXCEEDED once used + reserved reaches the limit; lapses after 10 minutes unsettled',
  })
  reserveUsage(@Arg('estimatedTokens', () => Int) estimatedTokens: number, @Ctx() ctx: Context) {
    return ctx.services.usage.reserveForAgent(viewerOf(ctx), estimatedTokens);
  }

  @Authorized()
  @Mutation(() => MonthlyUsage, { description: 'Reports a model call made elsewhere; a session or a WRITE API key' })
  recordUsage(@Arg('input', () => RecordUsageInput) input: RecordUsageInput, @Ctx() ctx: Context) {
    return ctx.services.usage.record(viewerOf(ctx), input);
  }
}
