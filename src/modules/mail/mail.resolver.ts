import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { Task } from '../tasks/index.js';
import type { Context } from './context.js';
import {
  ConnectMailAccountInput,
  DraftInput,
  EmailDraft,
  EmailMessage,
  IntegrationLogConnection,
  MailAccount,
  MailThread,
  MailThreadConnection,
} from './mail.type.js';

@Resolver()
export class MailResolver {
  @Authorized()
  @Query(() => [MailAccount])
  mailAccounts(@Ctx() ctx: Context) {
    return ctx.services.mailAccounts.list(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => MailThreadConnection, {
    description: 'Most recent first; search in subject, sender and text (web search syntax)',
  })
  mailThreads(
    @Ctx() ctx: Context,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.mail.threads(viewerOf(ctx), accountId, search, unreadOnly, first, after);
  }

  @Authorized()
  @Query(() => MailThread)
  mailThread(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.mail.thread(viewerOf(ctx), id);
  }

  @Authorized()
  @Query(() => EmailMessage)
  emailMessage(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.mail.message(viewerOf(ctx), id);
  }

  @Authorized()
  @Query(() => [EmailDraft], { description: 'Most recently changed first' })
  emailDrafts(@Ctx() ctx: Context) {
    return ctx.services.drafts.list(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => IntegrationLogConnection, {
    description: 'Runs of the integrations (imap sync, smtp send), newest first',
  })
  integrationLogs(
    @Ctx() ctx: Context,
    @Arg('integration', () => String, { nullable: true }) integration: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.mailAccounts.logs(viewerOf(ctx), integration, first, after);
  }

  @Authorized()
  @Mutation(() => MailAccount, {
    description:
      'Logs in to IMAP (and SMTP when given) within MAIL_CONNECT_TIMEOUT_MS before storing anything; then the first sync starts',
  })
  connectMailAccount(@Arg('input', () => ConnectMailAccountInput) input: ConnectMailAccountInput, @Ctx() ctx: Context) {
    return ctx.services.mailAccounts.connect(viewerOf(ctx), input, ctx.client.signal);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Deletes the account and all mail stored from it' })
  disconnectMailAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.mailAccounts.disconnect(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => MailAccount, { description: 'Queues a sync now' })
  syncMailAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.mailAccounts.sync(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Returns how many changed' })
  setEmailsSeen(@Arg('ids', () => [ID]) ids: string[], @Arg('seen', () => Boolean) seen: boolean, @Ctx() ctx: Context) {
    return ctx.services.mail.setSeen(viewerOf(ctx), ids, seen);
  }

  @Authorized()
  @Mutation(() => EmailDraft, { description: 'Creates a draft (id null) or replaces one' })
  saveDraft(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('input', () => DraftInput) input: DraftInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.drafts.save(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteDraft(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.drafts.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => EmailDraft, {
    description: 'QUEUED, then SENT (or FAILED with the error after retries); sending a SENT draft: CONFLICT',
  })
  sendDraft(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.drafts.send(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Task, { description: 'A task whose notes link the email, with a created_from relation' })
  createTaskFromEmail(
    @Arg('emailId', () => ID) emailId: string,
    @Arg('listId', () => ID) listId: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.mail.createTask(viewerOf(ctx), emailId, listId);
  }
}
