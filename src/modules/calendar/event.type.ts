import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { events, invitations } from '../../db/schema/index.js';

export enum RsvpStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  TENTATIVE = 'TENTATIVE',
}
registerEnumType(RsvpStatus, { name: 'RsvpStatus' });

export type EventRow = typeof events.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;

@ObjectType({
  description:
    "All-day events are calendar dates: they are stored as the dates they fall on in the organizer's timezone and shown on those same dates to everyone, so startsAt/endsAt are midnights in the viewer's own timezone (endsAt is the midnight after the last day). Timed events are instants.",
})
export class CalendarEvent {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true }) location!: string | null;
  @Field(() => Boolean) allDay!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class Invitation {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => RsvpStatus) status!: RsvpStatus;
  @Field(() => Date, { nullable: true }) respondedAt!: Date | null;
}

@InputType()
export class CreateEventInput {
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => Date) startsAt!: Date;
  @Field(() => Date) endsAt!: Date;
  @Field(() => Boolean, {
    nullable: true,
    description: "The event covers the dates of startsAt..endsAt in the organizer's timezone",
  })
  allDay?: boolean | null;
}

@InputType()
export class UpdateEventInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) location?: string | null;
  @Field(() => Date, { nullable: true }) startsAt?: Date | null;
  @Field(() => Date, { nullable: true }) endsAt?: Date | null;
  @Field(() => Boolean, { nullable: true }) allDay?: boolean | null;
}
