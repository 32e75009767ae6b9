import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { labels, tasks } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export enum TaskStatus {
  TODO = 'TODO',
  IN_PROGRESS = 'IN_PROGRESS',
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
export enum TaskPriority {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}
export enum TaskOrderField {
  POSITION = 'POSITION',
  DUE_AT = 'DUE_AT',
  PRIORITY = 'PRIORITY',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
export enum TaskChangeKind {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
}
registerEnumType(TaskStatus, { name: 'TaskStatus' });
registerEnumType(TaskPriority, { name: 'TaskPriority' });
registerEnumType(TaskOrderField, { name: 'TaskOrderField' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });
registerEnumType(TaskChangeKind, { name: 'TaskChangeKind' });

export type TaskRow = typeof tasks.$inferSelect;
export type LabelRow = typeof labels.$inferSelect;

@ObjectType()
export class Label {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color!: string | null;
}

/** Resolvers receive a tasks row; list, assignee, createdBy and labels come from loaders. */
@ObjectType()
export class Task {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => TaskStatus) status!: TaskStatus;
  @Field(() => TaskPriority) priority!: TaskPriority;
  @Field(() => Date, { nullable: true }) dueAt!: Date | null;
  @Field(() => Boolean, { description: 'The due date is a day, not an instant (dueAt is 23:59:59 local)' })
  dueAllDay!: boolean;
  @Field(() => Date, { nullable: true, description: 'Set when the task becomes DONE, cleared when it leaves DONE' })
  completedAt!: Date | null;
  @Field(() => Int, { description: 'Dense order inside the list, from 0' }) position!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

export const { ConnectionType: TaskConnection } = connectionTypes('Task', Task);
