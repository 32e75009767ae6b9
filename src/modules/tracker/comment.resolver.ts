import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { DraftStatus, EmailAttachment } from '../mail/index.js';
import { User } from '../users/index.js';
import type { Context } from './context.js';
import { Requester, Ticket, TicketComment, type TicketCommentRow } from './ticket.type.js';
import { TicketCommentInput } from './tracker.inputs.js';

@Resolver(() => TicketComment)
export class TicketCommentResolver {
  @Authorized()
  @Mutation(() => TicketComment, {
    description: 'EDITOR or OWNER. A PUBLIC comment on a ticket with a requester and an enabled inbox is mailed',
  })
  addTicketComment(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => TicketCommentInput) input: TicketCommentInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.ticketComments.add(viewerOf(ctx), ticketId, input);
  }

  @Authorized()
  @Mutation(() => TicketComment, { description: 'Edits the stored text; mail already sent is not recalled' })
  updateTicketComment(@Arg('id', () => ID) id: string, @Arg('body', () => String) body: string, @Ctx() ctx: Context) {
    return ctx.services.ticketComments.update(viewerOf(ctx), id, body);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteTicketComment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.ticketComments.delete(viewerOf(ctx), id);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => Ticket)
  ticket(@Root() comment: TicketCommentRow, @Ctx() ctx: Context) {
    return ctx.loaders.ticketById.value(comment.ticketId);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'The member who wrote it; null when the requester or a participant wrote it',
  })
  author(@Root() comment: TicketCommentRow, @Ctx() ctx: Context) {
    return comment.authorId ? ctx.loaders.userById.value(comment.authorId) : null;
  }

  @FieldResolver(() => Requester, {
    nullable: true,
    description: 'Set when the requester or a participant wrote it (mail or public link)',
  })
  requester(@Root() comment: TicketCommentRow) {
    return comment.requesterEmail ? { email: comment.requesterEmail, name: comment.requesterName } : null;
  }

  @FieldResolver(() => [EmailAttachment], { description: 'Files that came with the mail the comment was made from' })
  attachments(@Root() comment: TicketCommentRow, @Ctx() ctx: Context) {
    return comment.emailId ? ctx.loaders.attachmentsOf.load(comment.emailId) : [];
  }

  @FieldResolver(() => DraftStatus, {
    nullable: true,
    description: 'Outbound mail of a PUBLIC member comment: QUEUED, SENT or FAILED; null when nothing is sent',
  })
  async deliveryStatus(@Root() comment: TicketCommentRow, @Ctx() ctx: Context) {
    // A bounce or the inbox's limit says FAILED on the comment itself; else the mail's own status.
    if (comment.deliveryStatus === 'FAILED' || !comment.draftId) return comment.deliveryStatus;
    const draft = await ctx.loaders.draftById.load(comment.draftId);
    if (!draft) return comment.deliveryStatus;
    return draft.status === 'SENT' || draft.status === 'FAILED' ? draft.status : 'QUEUED';
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why the mail was not delivered' })
  async deliveryError(@Root() comment: TicketCommentRow, @Ctx() ctx: Context) {
    if (comment.deliveryError || !comment.draftId) return comment.deliveryError;
    const draft = await ctx.loaders.draftById.load(comment.draftId);
    return draft?.status === 'FAILED' ? draft.error : null;
  }
}
