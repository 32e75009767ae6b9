import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { usageReservations } from '../../db/schema/index.js';
import { Tier } from '../users/index.js';

@ObjectType()
export class TierLimits {
  @Field(() => Tier) tier!: Tier;
  @Field(() => Int, { description: 'Tokens per calendar month (UTC)' }) monthlyTokenLimit!: number;
  @Field(() => Int, { description: 'Voice transcription seconds a month (TIER_AUDIO_SECONDS_<TIER>)' })
  monthlyAudioSeconds!: number;
}

@ObjectType({ description: 'Token usage of one calendar month in UTC' })
export class MonthlyUsage {
  @Field(() => String, { description: 'YYYY-MM, a calendar month in UTC' }) month!: string;
  @Field(() => Int) tokensUsed!: number;
  @Field(() => Int) tokenLimit!: number;
  @Field(() => Int, { description: 'Never below 0; a model call starts only while this is above 0' })
  remainingTokens!: number;
  @Field(() => Int) requestCount!: number;
  @Field(() => Int, { description: 'Seconds of voice transcribed this month (each capture rounded up)' })
  audioSecondsUsed!: number;
  @Field(() => Int) audioSecondsLimit!: number;
}

@InputType()
export class RecordUsageInput {
  @Field(() => String) model!: string;
  @Field(() => Int, { description: '0 to 10,000,000' }) promptTokens!: number;
  @Field(() => Int, { description: '0 to 10,000,000' }) completionTokens!: number;
  @Field(() => ID, { nullable: true }) conversationId?: string | null;
  @Field(() => ID, {
    nullable: true,
    description: 'The reserveUsage reservation this call settles (once; CONFLICT after)',
  })
  reservationId?: string | null;
}

export type UsageReservationRow = typeof usageReservations.$inferSelect;

@ObjectType({ description: 'Tokens held for a model call an external agent is about to make' })
export class UsageReservation {
  @Field(() => ID) id!: string;
  @Field(() => Int) estimatedTokens!: number;
  @Field(() => Date, { description: 'Unsettled, it lapses then and its tokens are given back' }) expiresAt!: Date;
}
