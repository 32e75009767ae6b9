import { Field, ID, ObjectType } from 'type-graphql';
import type { activities } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export type ActivityRow = typeof activities.$inferSelect;

@ObjectType()
export class Activity {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'e.g. task.created, event.invited, apikey.created, session.reuse_detected' })
  verb!: string;
  @Field(() => String) entityType!: string;
  @Field(() => ID) entityId!: string;
  @Field(() => String) summary!: string;
  @Field(() => Date) createdAt!: Date;
}

export const { ConnectionType: ActivityConnection } = connectionTypes('Activity', Activity);
