import { Field, Float, ID, InputType, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import type { captureSuggestions, captures } from '../../db/schema/index.js';
import { DateScalar } from '../../shared/scalars.js';
import { CalendarEvent } from '../calendar/index.js';
import { Document } from '../documents/index.js';
import { JournalEntry, JournalEntryType } from '../journal/index.js';
import { Task, TaskPriority } from '../tasks/index.js';

export enum CaptureSource {
  APP = 'APP',
  VOICE = 'VOICE',
  EMAIL = 'EMAIL',
  SHARE = 'SHARE',
  API = 'API',
  ASSISTANT = 'ASSISTANT',
}
export enum CaptureStatus {
  NEW = 'NEW',
  TRANSCRIBING = 'TRANSCRIBING',
  TRIAGING = 'TRIAGING',
  NEEDS_REVIEW = 'NEEDS_REVIEW',
  DONE = 'DONE',
  ARCHIVED = 'ARCHIVED',
  FAILED = 'FAILED',
}
export enum SuggestionKind {
  TASK = 'TASK',
  EVENT = 'EVENT',
  JOURNAL_ENTRY = 'JOURNAL_ENTRY',
  DOCUMENT = 'DOCUMENT',
}
export enum SuggestionStatus {
  PROPOSED = 'PROPOSED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  FAILED = 'FAILED',
}
registerEnumType(CaptureSource, { name: 'CaptureSource' });
registerEnumType(CaptureStatus, { name: 'CaptureStatus' });
registerEnumType(SuggestionKind, { name: 'SuggestionKind' });
registerEnumType(SuggestionStatus, { name: 'SuggestionStatus' });

export type CaptureRow = typeof captures.$inferSelect;
export type SuggestionRow = typeof captureSuggestions.$inferSelect;

@ObjectType()
export class TaskDraft {
  @Field(() => ID, { nullable: true }) listId!: string | null;
  @Field(() => ID, { nullable: true }) projectId!: string | null;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => Date, { nullable: true }) dueAt!: Date | null;
  @Field(() => Boolean) dueAllDay!: boolean;
  @Field(() => TaskPriority, { nullable: true }) priority!: TaskPriority | null;
  @Field(() => [ID]) labelIds!: string[];
}

@ObjectType()
export class EventDraft {
  @Field(() => String) title!: string;
  @Field(() => Date) startsAt!: Date;
  @Field(() => Date) endsAt!: Date;
  @Field(() => Boolean) allDay!: boolean;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType()
export class JournalDraft {
  @Field(() => JournalEntryType) type!: JournalEntryType;
  @Field(() => DateScalar) date!: string;
  @Field(() => String) text!: string;
  @Field(() => Boolean, {
    description: "true: appended to that day's entry; false: creates it (CONFLICT on accept if one exists)",
  })
  append!: boolean;
}

@ObjectType()
export class DocumentDraft {
  @Field(() => String) title!: string;
  @Field(() => String) content!: string;
}

export const SuggestionDraft = createUnionType({
  name: 'SuggestionDraft',
  types: () => [TaskDraft, EventDraft, JournalDraft, DocumentDraft] as const,
});

/** The item an accepted suggestion made, marked with its GraphQL type. */
export const RESULT_TYPE = Symbol('result type');
export const SuggestionResult = createUnionType({
  name: 'SuggestionResult',
  types: () => [Task, CalendarEvent, JournalEntry, Document] as const,
  resolveType: (value) => (value as { [RESULT_TYPE]?: string })[RESULT_TYPE],
});

@ObjectType()
export class CaptureSuggestion {
  @Field(() => ID) id!: string;
  @Field(() => SuggestionKind) kind!: SuggestionKind;
  @Field(() => SuggestionStatus) status!: SuggestionStatus;
  @Field(() => Float, { nullable: true, description: '0..1 as reported by the model; null for the quick-add grammar' })
  confidence!: number | null;
  @Field(() => String, { nullable: true, description: 'The words of the capture it came from' }) sourceText!:
    string | null;
  @Field(() => Float, { nullable: true, description: 'Seconds into the audio (voice captures with segments)' })
  sourceStart!: number | null;
  @Field(() => Float, { nullable: true }) sourceEnd!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
}

@ObjectType()
export class Capture {
  @Field(() => ID) id!: string;
  @Field(() => CaptureSource) source!: CaptureSource;
  @Field(() => CaptureStatus) status!: CaptureStatus;
  @Field(() => String, {
    nullable: true,
    description: 'Typed text, or the transcript text (editable with updateCaptureText)',
  })
  text!: string | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
  @Field(() => Date, { nullable: true }) processedAt!: Date | null;
}

@InputType()
export class CreateCaptureInput {
  @Field(() => String) text!: string;
  @Field(() => CaptureSource, { nullable: true, description: 'APP, API or SHARE' }) source?: CaptureSource | null;
  @Field(() => Boolean, { nullable: true, description: 'Make suggestions now (default true)' }) triage?: boolean | null;
  @Field(() => String, {
    nullable: true,
    description: 'Idempotency key: the same key within 24 h returns the same capture',
  })
  clientKey?: string | null;
}

@InputType()
export class TaskDraftInput {
  @Field(() => ID, { nullable: true }) listId?: string | null;
  @Field(() => ID, { nullable: true }) projectId?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field(() => Date, { nullable: true }) dueAt?: Date | null;
  @Field(() => Boolean, { nullable: true }) dueAllDay?: boolean | null;
  @Field(() => TaskPriority, { nullable: true }) priority?: TaskPriority | null;
  @Field(() => [ID], { nullable: true }) labelIds?: string[] | null;
}

@InputType()
export class EventDraftInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => Date, { nullable: true }) startsAt?: Date | null;
  @Field(() => Date, { nullable: true }) endsAt?: Date | null;
  @Field(() => Boolean, { nullable: true }) allDay?: boolean | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType()
export class JournalDraftInput {
  @Field(() => JournalEntryType, { nullable: true }) type?: JournalEntryType | null;
  @Field(() => DateScalar, { nullable: true }) date?: string | null;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => Boolean, { nullable: true }) append?: boolean | null;
}

@InputType()
export class DocumentDraftInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) content?: string | null;
}

@InputType({ description: "Exactly one member; a member of another kind changes the suggestion's kind" })
export class SuggestionEdit {
  @Field(() => TaskDraftInput, { nullable: true }) task?: TaskDraftInput | null;
  @Field(() => EventDraftInput, { nullable: true }) event?: EventDraftInput | null;
  @Field(() => JournalDraftInput, { nullable: true }) journal?: JournalDraftInput | null;
  @Field(() => DocumentDraftInput, { nullable: true }) document?: DocumentDraftInput | null;
}
