import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { monthlyUsage } from '../../db/schema/index.js';
import type { Config } from '../../shared/config.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { Tier } from '../users/index.js';
import { currentMonth } from './tiers.js';

/** Seconds of voice transcription a calendar month (UTC) by tier: TIER_AUDIO_SECONDS_<TIER>. */
export function audioLimits(config: Config): Record<Tier, number> {
  return {
    FREE: config.TIER_AUDIO_SECONDS_FREE,
    STARTER: config.TIER_AUDIO_SECONDS_STARTER,
    BUILDER: config.TIER_AUDIO_SECONDS_BUILDER,
    ADVANCED: config.TIER_AUDIO_SECONDS_ADVANCED,
  };
}

export interface AudioUsage {
  voiceCapturesUsed: number;
  audioSecondsUsed: number;
  audioSecondsLimit: number;
}

/** This month's voice figures of a user of `tier`. */
export async function audioUsage(q: Queryable, config: Config, userId: string, tier: Tier): Promise<AudioUsage> {
  const [row] = await q
    .select({ seconds: monthlyUsage.audioSecondsUsed, captures: monthlyUsage.voiceCaptures })
    .from(monthlyUsage)
    .where(and(eq(monthlyUsage.userId, userId), eq(monthlyUsage.month, currentMonth())));
  return {
    voiceCapturesUsed: row?.captures ?? 0,
    audioSecondsUsed: row?.seconds ?? 0,
    audioSecondsLimit: audioLimits(config)[tier],
  };
}

/** USAGE_LIMIT_EXCEEDED when the month's audio seconds are spent (a transcription started may overshoot). */
export async function checkAudioLeft(q: Queryable, config: Config, userId: string, tier: Tier): Promise<void> {
  const usage = await audioUsage(q, config, userId, tier);
  if (usage.audioSecondsUsed >= usage.audioSecondsLimit) {
    throw new AppError(ErrorCode.USAGE_LIMIT_EXCEEDED, `The monthly audio seconds of the ${tier} tier are spent`, {
      audioSecondsLimit: usage.audioSecondsLimit,
    });
  }
}

/** Adds to this month's voice figures (a capture made, seconds transcribed), in the caller's transaction. */
export async function meterAudio(q: Queryable, userId: string, add: { captures?: number; seconds?: number }) {
  await q
    .insert(monthlyUsage)
    .values({
      userId,
      month: currentMonth(),
      voiceCaptures: add.captures ?? 0,
      audioSecondsUsed: add.seconds ?? 0,
    })
    .onConflictDoUpdate({
      target: [monthlyUsage.userId, monthlyUsage.month],
      set: {
        voiceCaptures: sql`${monthlyUsage.voiceCaptures} + ${add.captures ?? 0}`,
        audioSecondsUsed: sql`${monthlyUsage.audioSecondsUsed} + ${add.seconds ?? 0}`,
      },
    });
}
