import { Field, Float, ID, InputType, Int, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import { CalendarEvent } from '../calendar/index.js';
import { Capture } from '../capture/index.js';
import { Document } from '../documents/index.js';
import { JournalEntry } from '../journal/index.js';
import { EmailMessage } from '../mail/index.js';
import { Task } from '../tasks/index.js';
import { Ticket } from '../tracker/index.js';

export enum SearchableType {
  TASK = 'TASK',
  DOCUMENT = 'DOCUMENT',
  JOURNAL_ENTRY = 'JOURNAL_ENTRY',
  EVENT = 'EVENT',
  EMAIL = 'EMAIL',
  TICKET = 'TICKET',
  CAPTURE = 'CAPTURE',
}
registerEnumType(SearchableType, { name: 'SearchableType' });

export enum SearchMode {
  HYBRID = 'HYBRID',
  TEXT = 'TEXT',
  SEMANTIC = 'SEMANTIC',
}
registerEnumType(SearchMode, {
  name: 'SearchMode',
  description: 'HYBRID (the default) fuses the text and semantic rankings; without semantic search it answers as TEXT',
});

/** Which GraphQL type a loaded node is (rows carry no type of their own). */
export const nodeTypes = new WeakMap<object, string>();

export const SearchResult = createUnionType({
  name: 'SearchResult',
  types: () => [Task, Document, JournalEntry, CalendarEvent, EmailMessage, Ticket, Capture] as const,
  resolveType: (value) => nodeTypes.get(value as object),
});

@ObjectType()
export class SearchHit {
  @Field(() => SearchableType) type!: SearchableType;
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'Plain text around the match' }) snippet!: string;
  @Field(() => Float) score!: number;
  @Field(() => Boolean) matchedText!: boolean;
  @Field(() => Boolean) matchedSemantic!: boolean;
  @Field(() => SearchResult) node!: object;
}

@ObjectType()
export class SemanticIndexStatus {
  @Field(() => Boolean) available!: boolean;
  @Field(() => String, { nullable: true, description: 'Why not, when unavailable' }) reason!: string | null;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => Int, { nullable: true }) dimensions!: number | null;
  @Field(() => Int) indexed!: number;
  @Field(() => Int) pending!: number;
}

@InputType()
export class RelateInput {
  @Field(() => SearchableType) fromType!: SearchableType;
  @Field(() => ID) fromId!: string;
  @Field(() => SearchableType) toType!: SearchableType;
  @Field(() => ID) toId!: string;
  @Field(() => String, {
    description: 'A short word: related, follow_up, created_from… (1-40 characters: a-z, 0-9, _)',
  })
  kind!: string;
}

@ObjectType()
export class Relation {
  @Field(() => ID) id!: string;
  @Field(() => String) kind!: string;
  @Field(() => SearchableType, { description: 'The item at the other end of the link, seen from the item asked about' })
  otherType!: SearchableType;
  @Field(() => ID) otherId!: string;
  @Field(() => SearchResult) node!: object;
  @Field(() => Date) createdAt!: Date;
}

/** The semantic state before the server has looked at the database. */
export const SEARCH_NOT_READY = {
  available: false,
  reason: 'The server is starting',
  provider: null,
  indexable: false,
};
