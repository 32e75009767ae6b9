import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { MailAccount } from '../mail/index.js';
import { User } from '../users/index.js';
import { Board, type BoardWithRole } from './board.type.js';
import type { Context } from './context.js';
import { ConnectTicketInboxInput, type InboxRow, TicketInbox, UpdateTicketInboxInput } from './inbox.type.js';

@Resolver(() => TicketInbox)
export class TicketInboxResolver {
  @Authorized()
  @Query(() => TicketInbox)
  ticketInbox(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.ticketInboxes.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => TicketInbox, {
    description: "Owner only; one of the viewer's own accounts with SMTP; mail from now on counts",
  })
  connectTicketInbox(@Arg('input', () => ConnectTicketInboxInput) input: ConnectTicketInboxInput, @Ctx() ctx: Context) {
    return ctx.services.ticketInboxes.connect(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => TicketInbox)
  updateTicketInbox(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTicketInboxInput) input: UpdateTicketInboxInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.ticketInboxes.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID)
  disconnectTicketInbox(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.ticketInboxes.disconnect(viewerOf(ctx), id);
  }

  @FieldResolver(() => Board)
  board(@Root() inbox: InboxRow, @Ctx() ctx: Context) {
    return ctx.loaders.boardById.value(inbox.boardId);
  }

  @FieldResolver(() => MailAccount, {
    nullable: true,
    description: 'The underlying account; visible to the member who connected it only, null for everyone else',
  })
  mailAccount(@Root() inbox: InboxRow, @Ctx() ctx: Context) {
    return inbox.connectedById === ctx.viewer?.userId ? ctx.loaders.mailAccountById.load(inbox.mailAccountId) : null;
  }

  @FieldResolver(() => User)
  connectedBy(@Root() inbox: InboxRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(inbox.connectedById);
  }
}

@Resolver(() => Board)
export class BoardInboxResolver {
  @FieldResolver(() => [TicketInbox])
  inboxes(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.inboxesByBoard.load(board.id);
  }
}
