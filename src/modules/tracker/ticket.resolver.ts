import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { pageRequest } from '../../shared/pagination.js';
import { EmailAttachment } from '../mail/index.js';
import { Label } from '../tasks/index.js';
import { User } from '../users/index.js';
import type { Context } from './context.js';
import { Board, BoardState } from './board.type.js';
import { identifierOf } from './board-rules.js';
import { Requester, Ticket, TicketCommentConnection, TicketConnection, type TicketRow } from './ticket.type.js';
import { CreateTicketInput, MoveTicketInput, TicketFilter, TicketOrder, UpdateTicketInput } from './tracker.inputs.js';

@Resolver(() => Ticket)
export class TicketResolver {
  @Authorized()
  @Query(() => Ticket)
  ticket(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.tickets.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Query(() => Ticket)
  boardTicket(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('number', () => Int) number: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tickets.byNumber(viewerOf(ctx), boardId, number);
  }

  @Authorized()
  @Query(() => TicketConnection, { description: 'Tickets across every board the viewer can see' })
  tickets(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TicketFilter, { nullable: true }) filter: TicketFilter | null,
    @Arg('orderBy', () => TicketOrder, { nullable: true }) orderBy: TicketOrder | null,
  ) {
    return ctx.services.tickets.search(viewerOf(ctx), pageRequest(first, after), filter, orderBy);
  }

  @Authorized()
  @Query(() => TicketConnection, {
    description:
      'Tickets waiting for triage, oldest first; boardId null: every board where the viewer is EDITOR or OWNER',
  })
  standbyQueue(
    @Ctx() ctx: Context,
    @Arg('boardId', () => ID, { nullable: true }) boardId: string | null,
    @Arg('includeSnoozed', () => Boolean, { nullable: true }) includeSnoozed: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.tickets.standby(viewerOf(ctx), boardId, includeSnoozed ?? false, pageRequest(first, after));
  }

  @Authorized()
  @Mutation(() => Ticket)
  createTicket(@Arg('input', () => CreateTicketInput) input: CreateTicketInput, @Ctx() ctx: Context) {
    return ctx.services.tickets.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Ticket)
  updateTicket(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTicketInput) input: UpdateTicketInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tickets.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Ticket)
  moveTicket(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => MoveTicketInput) input: MoveTicketInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.ticketFlow.move(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Ticket, { description: 'assigneeId null unassigns' })
  assignTicket(
    @Arg('id', () => ID) id: string,
    @Arg('assigneeId', () => ID, { nullable: true }) assigneeId: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.ticketFlow.assign(viewerOf(ctx), id, assigneeId);
  }

  @Authorized()
  @Mutation(() => Ticket)
  setTicketLabels(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('labelIds', () => [ID]) labelIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tickets.setLabels(viewerOf(ctx), ticketId, labelIds);
  }

  @Authorized()
  @Mutation(() => Ticket)
  addTicketParticipant(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('email', () => String) email: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tickets.addParticipant(viewerOf(ctx), ticketId, email, name);
  }

  @Authorized()
  @Mutation(() => Ticket)
  removeTicketParticipant(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('email', () => String) email: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tickets.removeParticipant(viewerOf(ctx), ticketId, email);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Owner only' })
  deleteTicket(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.tickets.delete(viewerOf(ctx), id);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => Board)
  board(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ctx.loaders.boardById.value(ticket.boardId);
  }

  @FieldResolver(() => String, {
    description: 'e.g. SUP-42; earlier keys keep resolving in mail subjects after a key change',
  })
  async identifier(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    const board = await ctx.loaders.boardById.value(ticket.boardId);
    return identifierOf(board?.key ?? '?', ticket);
  }

  @FieldResolver(() => BoardState, { nullable: true, description: 'Null while the ticket waits in the standby queue' })
  state(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.stateId ? ctx.loaders.stateById.value(ticket.stateId) : null;
  }

  @FieldResolver(() => Ticket, { nullable: true })
  duplicateOf(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.duplicateOfId ? ctx.loaders.ticketById.value(ticket.duplicateOfId) : null;
  }

  @FieldResolver(() => Ticket, {
    nullable: true,
    description: 'The ticket this one was opened beside (a stranger on its mail thread, an answer after it closed)',
  })
  relatedTo(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.relatedToId ? ctx.loaders.ticketById.value(ticket.relatedToId) : null;
  }

  @FieldResolver(() => [EmailAttachment], { description: 'Files of the mail that opened the ticket' })
  attachments(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.emailId ? ctx.loaders.attachmentsOf.load(ticket.emailId) : [];
  }

  @FieldResolver(() => User, { nullable: true })
  assignee(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.assigneeId ? ctx.loaders.userById.value(ticket.assigneeId) : null;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Null for tickets that arrived by mail or the public form',
  })
  createdBy(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ticket.createdById ? ctx.loaders.userById.value(ticket.createdById) : null;
  }

  @FieldResolver(() => Requester, { nullable: true })
  requester(@Root() ticket: TicketRow) {
    return ticket.requesterEmail ? { email: ticket.requesterEmail, name: ticket.requesterName } : null;
  }

  @FieldResolver(() => [Requester], { description: 'CCs; public replies go to the requester and every participant' })
  participants(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ctx.loaders.participantsByTicket.load(ticket.id);
  }

  @FieldResolver(() => [Label])
  labels(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ctx.loaders.labelsByTicket.value(ticket.id);
  }

  @FieldResolver(() => TicketCommentConnection)
  comments(
    @Root() ticket: TicketRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.loaders.commentsOfTicket(pageRequest(first, after)).load(ticket.id);
  }

  @FieldResolver(() => Int)
  commentCount(@Root() ticket: TicketRow, @Ctx() ctx: Context) {
    return ctx.loaders.commentCountByTicket.value(ticket.id);
  }
}
