import { Field, ID, Int, ObjectType } from 'type-graphql';
import { TaskPriority } from '../tasks/index.js';

@ObjectType()
export class QuickAddToken {
  @Field(() => String, { description: 'date, list, project, label, priority, notes' }) kind!: string;
  @Field(() => String) text!: string;
  @Field(() => Int, { description: 'UTF-16 offsets into the input, end exclusive' }) start!: number;
  @Field(() => Int) end!: number;
}

@ObjectType({ description: 'What the quick-add grammar reads in one line; nothing is saved' })
export class QuickAddPreview {
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => Date, { nullable: true }) dueAt!: Date | null;
  @Field(() => Boolean) dueAllDay!: boolean;
  @Field(() => ID, { nullable: true }) listId!: string | null;
  @Field(() => ID, { nullable: true }) projectId!: string | null;
  @Field(() => [ID]) labelIds!: string[];
  @Field(() => TaskPriority, { nullable: true }) priority!: TaskPriority | null;
  @Field(() => [QuickAddToken]) tokens!: QuickAddToken[];
  @Field(() => [String], { description: '#names, +names and @names that match nothing the viewer has' })
  unknownNames!: string[];
}
