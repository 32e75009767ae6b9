import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { User } from '../users/index.js';
import {
  CalendarEvent,
  CreateEventInput,
  Invitation,
  type EventRow,
  type InvitationRow,
  RsvpStatus,
  UpdateEventInput,
} from './event.type.js';
import { addDays, startOfDay } from '../../shared/zones.js';

@Resolver(() => CalendarEvent)
export class EventResolver {
  // ---------------------------------------------------------------- queries
  @Authorized()
  @Query(() => [CalendarEvent], {
    description:
      'Own events and invitations overlapping [from, to); declined ones only with includeDeclined. At most 366 days.',
  })
  events(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('includeDeclined', () => Boolean, { nullable: true, defaultValue: false }) includeDeclined: boolean,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.calendar.range(viewerOf(ctx), from, to, includeDeclined);
  }

  @Authorized()
  @Query(() => CalendarEvent)
  event(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.calendar.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Query(() => [Invitation], { description: "The viewer's invitations, by event start" })
  myInvitations(@Arg('status', () => RsvpStatus, { nullable: true }) status: RsvpStatus | null, @Ctx() ctx: Context) {
    return ctx.services.calendar.myInvitations(viewerOf(ctx), status);
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => CalendarEvent)
  createEvent(@Arg('input', () => CreateEventInput) input: CreateEventInput, @Ctx() ctx: Context) {
    return ctx.services.calendar.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => CalendarEvent, {
    description: 'Organizer only. A new time sets every answer back to PENDING and tells the invitees',
  })
  updateEvent(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEventInput) input: UpdateEventInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.calendar.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Organizer only; invitees are told' })
  deleteEvent(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.calendar.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => [Invitation], {
    description: 'Organizer only; addresses are deduplicated; at most 100 invitations per event',
  })
  inviteToEvent(
    @Arg('eventId', () => ID) eventId: string,
    @Arg('emails', () => [String], { description: 'At most 100' }) emails: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.calendar.invite(viewerOf(ctx), eventId, emails);
  }

  @Authorized()
  @Mutation(() => Invitation, { description: 'Invitee only' })
  respondToInvitation(
    @Arg('invitationId', () => ID) invitationId: string,
    @Arg('status', () => RsvpStatus) status: RsvpStatus,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.calendar.respond(viewerOf(ctx), invitationId, status);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => Date)
  startsAt(@Root() e: EventRow, @Ctx() ctx: Context): Date {
    return e.allDay && e.startDate && ctx.viewer ? startOfDay(e.startDate, ctx.viewer.user.timezone) : e.startsAt;
  }

  @FieldResolver(() => Date)
  endsAt(@Root() e: EventRow, @Ctx() ctx: Context): Date {
    return e.allDay && e.endDate && ctx.viewer ? startOfDay(addDays(e.endDate, 1), ctx.viewer.user.timezone) : e.endsAt;
  }

  @FieldResolver(() => User)
  organizer(@Root() e: EventRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(e.organizerId);
  }

  @FieldResolver(() => [Invitation])
  invitations(@Root() e: EventRow, @Ctx() ctx: Context) {
    return ctx.loaders.invitationsByEvent.load(e.id);
  }

  @FieldResolver(() => RsvpStatus, {
    nullable: true,
    description: "The viewer's own answer when invited; null for the organizer",
  })
  async myResponse(@Root() e: EventRow, @Ctx() ctx: Context) {
    if (e.organizerId === ctx.viewer?.userId) return null;
    return (await ctx.loaders.myResponseByEvent.load(e.id))?.status ?? null;
  }
}

@Resolver(() => Invitation)
export class InvitationResolver {
  @FieldResolver(() => CalendarEvent)
  event(@Root() i: InvitationRow, @Ctx() ctx: Context) {
    return ctx.loaders.eventById.load(i.eventId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null until someone with that email has an account' })
  invitee(@Root() i: InvitationRow, @Ctx() ctx: Context) {
    return i.inviteeId ? ctx.loaders.userById.load(i.inviteeId) : null;
  }
}
