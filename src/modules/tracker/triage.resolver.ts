import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import type { Context } from './context.js';
import { Ticket } from './ticket.type.js';
import { AcceptTicketInput } from './tracker.inputs.js';

@Resolver(() => Ticket)
export class TriageResolver {
  @Authorized()
  @Mutation(() => Ticket, {
    description:
      'Into a state (the default unless given), ACCEPTED, at the bottom; auto-assigns when the board says so',
  })
  acceptTicket(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AcceptTicketInput, { nullable: true }) input: AcceptTicketInput | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.triage.accept(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Ticket, { description: 'Cancels it; with notifyRequester the reason is mailed as a PUBLIC comment' })
  declineTicket(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('notifyRequester', () => Boolean, { nullable: true }) notifyRequester: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.triage.decline(viewerOf(ctx), id, reason, notifyRequester ?? false);
  }

  @Authorized()
  @Mutation(() => Ticket)
  markTicketDuplicate(
    @Arg('id', () => ID) id: string,
    @Arg('duplicateOfId', () => ID) duplicateOfId: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.triage.markDuplicate(viewerOf(ctx), id, duplicateOfId);
  }

  @Authorized()
  @Mutation(() => Ticket)
  snoozeTicket(@Arg('id', () => ID) id: string, @Arg('until', () => Date) until: Date, @Ctx() ctx: Context) {
    return ctx.services.triage.snooze(viewerOf(ctx), id, until);
  }

  @Authorized()
  @Mutation(() => Ticket, {
    nullable: true,
    description: 'Assigns the oldest accepted, unassigned ticket of the board to the viewer; null when there is none',
  })
  claimNextTicket(@Arg('boardId', () => ID) boardId: string, @Ctx() ctx: Context) {
    return ctx.services.ticketFlow.claimNext(viewerOf(ctx), boardId);
  }
}
