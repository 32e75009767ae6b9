import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { listMembers, taskLists } from '../../db/schema/index.js';

export enum ListRole {
  OWNER = 'OWNER',
  EDITOR = 'EDITOR',
  VIEWER = 'VIEWER',
}
registerEnumType(ListRole, { name: 'ListRole' });

export type TaskListRow = typeof taskLists.$inferSelect;
export type MemberRow = typeof listMembers.$inferSelect;

@ObjectType()
export class TaskList {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color!: string | null;
  @Field(() => Int, { description: "Order among the owner's lists, from 0" }) position!: number;
  @Field(() => ListRole, { description: "The viewer's role in this list" }) myRole!: ListRole;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class ListMember {
  @Field(() => ListRole) role!: ListRole;
  @Field(() => Date) addedAt!: Date;
}
