import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { atLeast } from './board-access.js';
import { Board, BoardRole, type BoardWithRole } from './board.type.js';
import type { Context } from './context.js';
import { type FormRow, formUrl } from './public-form.service.js';
import {
  PublicForm,
  PublicFormInfo,
  PublicFormInput,
  PublicTicketInput,
  PublicTicketReceipt,
  PublicTicketView,
} from './public-form.type.js';

@Resolver(() => PublicForm)
export class PublicFormResolver {
  @Authorized()
  @Mutation(() => PublicForm, { description: 'Owner only; creates the form (off, with a new slug) on first use' })
  setBoardPublicForm(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('input', () => PublicFormInput) input: PublicFormInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.publicForms.configure(viewerOf(ctx), boardId, input);
  }

  @Authorized()
  @Mutation(() => PublicForm, { description: 'Owner only; the old URL stops working' })
  rotatePublicFormSlug(@Arg('boardId', () => ID) boardId: string, @Ctx() ctx: Context) {
    return ctx.services.publicForms.rotate(viewerOf(ctx), boardId);
  }

  @Query(() => PublicFormInfo, { description: 'Anonymous' })
  async publicForm(@Arg('slug', () => String) slug: string, @Ctx() ctx: Context): Promise<PublicFormInfo> {
    const { form, board } = await ctx.services.publicForms.open(slug);
    return { boardName: board.name, intro: form.intro, requireEmailConfirmation: form.requireEmailConfirmation };
  }

  @Query(() => PublicTicketView, { description: 'Anonymous: the token comes from the link mailed to the requester' })
  publicTicket(@Arg('token', () => String) token: string, @Ctx() ctx: Context) {
    return ctx.services.publicTickets.view(token, ctx.client.ip);
  }

  @Mutation(() => PublicTicketReceipt, { description: 'Anonymous' })
  submitPublicTicket(@Arg('input', () => PublicTicketInput) input: PublicTicketInput, @Ctx() ctx: Context) {
    return ctx.services.publicForms.submit(input, ctx.client.ip);
  }

  @Mutation(() => PublicTicketView, {
    description: 'Anonymous: confirms a form submission (when required) and opens its view',
  })
  confirmPublicTicket(@Arg('token', () => String) token: string, @Ctx() ctx: Context) {
    return ctx.services.publicTickets.confirm(token, ctx.client.ip);
  }

  @Mutation(() => PublicTicketView, { description: 'Anonymous: the requester answers through the mailed link' })
  replyToPublicTicket(
    @Arg('token', () => String) token: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.publicTickets.reply(token, body, ctx.client.ip);
  }

  @FieldResolver(() => String)
  url(@Root() form: FormRow, @Ctx() ctx: Context) {
    return formUrl(ctx.app, form.slug);
  }

  @FieldResolver(() => Int)
  submissionsToday(@Root() form: FormRow, @Ctx() ctx: Context) {
    return ctx.services.publicForms.submissionsToday(form.boardId);
  }
}

@Resolver(() => Board)
export class BoardFormResolver {
  @FieldResolver(() => PublicForm, {
    nullable: true,
    description: 'Null until the owner first configures it; owner only',
  })
  publicForm(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    if (!atLeast(board.myRole, BoardRole.OWNER)) return null;
    return ctx.loaders.publicFormByBoard.load(board.id);
  }
}
