import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { DateScalar } from '../../shared/scalars.js';
import {
  JournalEntry,
  JournalEntryConnection,
  JournalEntryType,
  JournalStreak,
  UpsertJournalEntryInput,
} from './journal.type.js';

@Resolver(() => JournalEntry)
export class JournalResolver {
  @Authorized()
  @Query(() => JournalEntryConnection, { description: 'Newest date first' })
  journalEntries(
    @Ctx() ctx: Context,
    @Arg('type', () => JournalEntryType, { nullable: true }) type: JournalEntryType | null,
    @Arg('from', () => DateScalar, { nullable: true }) from: string | null,
    @Arg('to', () => DateScalar, { nullable: true }) to: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.journal.list(viewerOf(ctx), type, from, to, first, after);
  }

  @Authorized()
  @Query(() => JournalEntry, { nullable: true })
  journalEntry(
    @Arg('type', () => JournalEntryType) type: JournalEntryType,
    @Arg('date', () => DateScalar) date: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.journal.get(viewerOf(ctx), type, date);
  }

  @Authorized()
  @Query(() => JournalStreak)
  async journalStreak(@Arg('type', () => JournalEntryType) type: JournalEntryType, @Ctx() ctx: Context) {
    return (await ctx.services.journal.streaks(viewerOf(ctx), [type]))[0];
  }

  @Authorized()
  @Mutation(() => JournalEntry, { description: 'Creates the entry for (type, date) or replaces its content' })
  upsertJournalEntry(@Arg('input', () => UpsertJournalEntryInput) input: UpsertJournalEntryInput, @Ctx() ctx: Context) {
    return ctx.services.journal.upsert(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteJournalEntry(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.journal.delete(viewerOf(ctx), id);
  }
}
