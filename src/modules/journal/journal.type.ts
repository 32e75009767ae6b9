import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { journalEntries } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';
import { DateScalar, JSONScalar } from '../../shared/scalars.js';

export enum JournalEntryType {
  MORNING_PAGES = 'MORNING_PAGES',
  DAILY_REFLECTION = 'DAILY_REFLECTION',
  WEEKLY_REVIEW = 'WEEKLY_REVIEW',
}
registerEnumType(JournalEntryType, { name: 'JournalEntryType' });

export type JournalRow = typeof journalEntries.$inferSelect;

@ObjectType()
export class JournalEntry {
  @Field(() => ID) id!: string;
  @Field(() => JournalEntryType) type!: JournalEntryType;
  @Field(() => DateScalar, { description: "The day the entry is for, in the user's timezone" }) date!: string;
  @Field(() => JSONScalar) content!: unknown;
  @Field(() => Int, { description: 'Words in every string inside content' }) wordCount!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}
export const { ConnectionType: JournalEntryConnection } = connectionTypes('JournalEntry', JournalEntry);

@ObjectType()
export class JournalStreak {
  @Field(() => JournalEntryType) type!: JournalEntryType;
  @Field(() => Int, {
    description: "Consecutive days (ISO weeks for WEEKLY_REVIEW) up to today or yesterday, in the user's timezone",
  })
  current!: number;
  @Field(() => Int) longest!: number;
  @Field(() => DateScalar, { nullable: true }) lastEntryDate!: string | null;
}

@InputType()
export class UpsertJournalEntryInput {
  @Field(() => JournalEntryType) type!: JournalEntryType;
  @Field(() => DateScalar) date!: string;
  @Field(() => JSONScalar, { description: 'Any JSON, at most 256 KB' }) content!: unknown;
}
