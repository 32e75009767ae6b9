import type { Config } from '../../shared/config.js';
import { Tier } from '../users/index.js';

/**
 * Monthly token budgets by tier, in one table (the README repeats it). Each can be overridden with
 * TIER_LIMIT_<TIER>. Months are calendar months in UTC.
 */
export const DEFAULT_TIER_LIMITS: Record<Tier, number> = {
  FREE: 100_000,
  STARTER: 1_000_000,
  BUILDER: 5_000_000,
  ADVANCED: 20_000_000,
};

export function tierLimits(config: Config): Record<Tier, number> {
  return {
    FREE: config.TIER_LIMIT_FREE,
    STARTER: config.TIER_LIMIT_STARTER,
    BUILDER: config.TIER_LIMIT_BUILDER,
    ADVANCED: config.TIER_LIMIT_ADVANCED,
  };
}

export const WARNING_SHARE = 0.8;

/** The current month, YYYY-MM in UTC. */
export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

export { Tier };
