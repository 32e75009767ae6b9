import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { notifications } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export enum NotificationKind {
  TASK_ASSIGNED = 'TASK_ASSIGNED',
  TASK_LIST_SHARED = 'TASK_LIST_SHARED',
  EVENT_INVITATION = 'EVENT_INVITATION',
  INVITATION_RESPONSE = 'INVITATION_RESPONSE',
  USAGE_LIMIT_WARNING = 'USAGE_LIMIT_WARNING',
  SECURITY_ALERT = 'SECURITY_ALERT',
  /** Emails the viewer's action would have sent were held back by the per-user email limits. */
  EMAIL_LIMIT_REACHED = 'EMAIL_LIMIT_REACHED',
  ASSISTANT_ACTION_PENDING = 'ASSISTANT_ACTION_PENDING',
  EMAIL_RECEIVED = 'EMAIL_RECEIVED',
  TICKET_ASSIGNED = 'TICKET_ASSIGNED',
  TICKET_RECEIVED = 'TICKET_RECEIVED',
  TICKET_REPLIED = 'TICKET_REPLIED',
  TICKET_INBOX_FAILED = 'TICKET_INBOX_FAILED',
  CAPTURE_READY = 'CAPTURE_READY',
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  valuesConfig: {
    EMAIL_LIMIT_REACHED: {
      description: 'Invitation or share emails held back by the hourly email limits; what they announced is saved',
    },
    ASSISTANT_ACTION_PENDING: {
      description: 'An assistant action waits for approval (entityType assistant_action, entityId its id)',
    },
    EMAIL_RECEIVED: { description: 'A new message arrived in a synced INBOX (entityType email, entityId the message)' },
    TICKET_ASSIGNED: { description: 'A ticket was assigned to the viewer (entityType ticket)' },
    TICKET_RECEIVED: { description: 'A new ticket is waiting in the standby queue of a board the viewer triages' },
    TICKET_REPLIED: { description: 'A requester replied on a ticket assigned to the viewer' },
    TICKET_INBOX_FAILED: { description: 'A ticket inbox the viewer connected stopped ingesting (lastError)' },
    CAPTURE_READY: { description: 'Background work on a capture ended (entityType capture)' },
  },
});

export type NotificationRow = typeof notifications.$inferSelect;

@ObjectType({ description: 'Kept for 30 days' })
export class Notification {
  @Field(() => ID) id!: string;
  @Field(() => NotificationKind) kind!: NotificationKind;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) body!: string | null;
  @Field(() => String, { nullable: true }) entityType!: string | null;
  @Field(() => ID, { nullable: true }) entityId!: string | null;
  @Field(() => Date, { nullable: true }) readAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

export const { ConnectionType: NotificationConnection } = connectionTypes('Notification', Notification);
