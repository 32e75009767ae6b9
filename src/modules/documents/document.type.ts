import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { documents, tags } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export type DocumentRow = Omit<typeof documents.$inferSelect, 'search'> & { snippet?: string | null; rank?: number };
export type TagRow = typeof tags.$inferSelect;

@ObjectType()
export class Tag {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color!: string | null;
}

@ObjectType()
export class Document {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'Markdown' }) content!: string;
  @Field(() => Int) wordCount!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}
export const { ConnectionType: DocumentConnection } = connectionTypes('Document', Document);

@InputType()
export class CreateDocumentInput {
  @Field(() => String) title!: string;
  @Field(() => String) content!: string;
  @Field(() => [ID], { nullable: true, description: 'At most 100' }) tagIds?: string[] | null;
}

@InputType()
export class UpdateDocumentInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) content?: string | null;
}

@InputType()
export class CreateTagInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color?: string | null;
}
