import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ticketComments, tickets } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';
import { TaskPriority } from '../tasks/index.js';

export enum TriageStatus {
  PENDING = 'PENDING',
  SNOOZED = 'SNOOZED',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  DUPLICATE = 'DUPLICATE',
}
export enum TicketChannel {
  APP = 'APP',
  EMAIL = 'EMAIL',
  PUBLIC_FORM = 'PUBLIC_FORM',
  ASSISTANT = 'ASSISTANT',
}
export enum CommentVisibility {
  PUBLIC = 'PUBLIC',
  INTERNAL = 'INTERNAL',
}
export enum TicketOrderField {
  RANK = 'RANK',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  LAST_ACTIVITY_AT = 'LAST_ACTIVITY_AT',
  PRIORITY = 'PRIORITY',
}
export enum BoardChangeKind {
  TICKET_CREATED = 'TICKET_CREATED',
  TICKET_UPDATED = 'TICKET_UPDATED',
  TICKET_MOVED = 'TICKET_MOVED',
  TICKET_DELETED = 'TICKET_DELETED',
  COMMENT_ADDED = 'COMMENT_ADDED',
  COMMENT_UPDATED = 'COMMENT_UPDATED',
  COMMENT_DELETED = 'COMMENT_DELETED',
  BOARD_UPDATED = 'BOARD_UPDATED',
}
registerEnumType(TriageStatus, {
  name: 'TriageStatus',
  description: 'Where a ticket stands in the standby queue; null on tickets a member put straight on the board',
});
registerEnumType(TicketChannel, { name: 'TicketChannel' });
registerEnumType(CommentVisibility, { name: 'CommentVisibility' });
registerEnumType(TicketOrderField, { name: 'TicketOrderField' });
registerEnumType(BoardChangeKind, { name: 'BoardChangeKind' });

export type TicketRow = typeof tickets.$inferSelect;
export type TicketCommentRow = typeof ticketComments.$inferSelect;

@ObjectType({ description: "Someone outside the board who asked (mail or public form), or a CC'd participant" })
export class Requester {
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
}

/** Resolvers receive a tickets row; board, state, people and labels come from loaders. */
@ObjectType()
export class Ticket {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => TriageStatus, { nullable: true }) triageStatus!: TriageStatus | null;
  @Field(() => Date, { nullable: true }) snoozedUntil!: Date | null;
  @Field(() => TaskPriority) priority!: TaskPriority;
  @Field(() => String, {
    description: "Fractional-index key, ordered within its state (compare as strings); '' while in the standby queue",
  })
  rank!: string;
  @Field(() => TicketChannel) channel!: TicketChannel;
  @Field(() => Date, { nullable: true }) firstResponseAt!: Date | null;
  @Field(() => Date) lastActivityAt!: Date;
  @Field(() => Date, { nullable: true }) completedAt!: Date | null;
  @Field(() => Date, { nullable: true }) canceledAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class TicketComment {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The reply part; quoted history and signatures are cut from mail' })
  body!: string;
  @Field(() => CommentVisibility) visibility!: CommentVisibility;
  @Field(() => TicketChannel) channel!: TicketChannel;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) editedAt!: Date | null;
}

export const { ConnectionType: TicketConnection } = connectionTypes('Ticket', Ticket);
export const { ConnectionType: TicketCommentConnection } = connectionTypes('TicketComment', TicketComment);
