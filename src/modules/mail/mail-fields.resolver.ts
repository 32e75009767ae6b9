import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import {
  EmailAttachment,
  EmailDraft,
  EmailMessage,
  MailAccount,
  MailAddress,
  MailThread,
  type AccountRow,
  type AttachmentRow,
  type DraftRow,
  type EmailRow,
  type ThreadRow,
} from './mail.type.js';

@Resolver(() => MailAccount)
export class MailAccountFields {
  @FieldResolver(() => Int)
  messageCount(@Root() a: AccountRow, @Ctx() ctx: Context) {
    return ctx.loaders.accountMessageCount.load(a.id);
  }
}

@Resolver(() => MailThread)
export class MailThreadFields {
  @FieldResolver(() => Int)
  async messageCount(@Root() t: ThreadRow, @Ctx() ctx: Context) {
    return (await ctx.loaders.threadStats.load(t.id)).messageCount;
  }

  @FieldResolver(() => Int)
  async unreadCount(@Root() t: ThreadRow, @Ctx() ctx: Context) {
    return (await ctx.loaders.threadStats.load(t.id)).unreadCount;
  }

  @FieldResolver(() => [MailAddress], { description: 'Everyone who wrote in the thread' })
  async participants(@Root() t: ThreadRow, @Ctx() ctx: Context) {
    return (await ctx.loaders.threadStats.load(t.id)).participants;
  }

  @FieldResolver(() => [EmailMessage], { description: 'Oldest first (at most 500)' })
  messages(@Root() t: ThreadRow, @Ctx() ctx: Context) {
    return ctx.loaders.threadMessages.load(t.id);
  }
}

@Resolver(() => EmailMessage)
export class EmailMessageFields {
  @FieldResolver(() => MailAccount)
  account(@Root() m: EmailRow, @Ctx() ctx: Context) {
    return ctx.loaders.mailAccountById.load(m.accountId);
  }

  @FieldResolver(() => MailThread)
  thread(@Root() m: EmailRow, @Ctx() ctx: Context) {
    return ctx.loaders.mailThreadById.load(m.threadId);
  }

  @FieldResolver(() => String)
  async folder(@Root() m: EmailRow, @Ctx() ctx: Context) {
    return (await ctx.loaders.folderPath.load(m.folderId)) ?? '';
  }

  @FieldResolver(() => MailAddress)
  from(@Root() m: EmailRow): MailAddress {
    return { name: m.fromName, address: m.fromAddress };
  }

  @FieldResolver(() => [EmailAttachment])
  attachments(@Root() m: EmailRow, @Ctx() ctx: Context) {
    return ctx.loaders.attachmentsOf.load(m.id);
  }
}

@Resolver(() => EmailAttachment)
export class EmailAttachmentFields {
  @FieldResolver(() => String, { description: 'GET it with the same credentials as /graphql' })
  url(@Root() a: AttachmentRow, @Ctx() ctx: Context): string {
    return `${ctx.app.config.APP_URL.replace(/\/$/, '')}/files/${a.id}`;
  }
}

@Resolver(() => EmailDraft)
export class EmailDraftFields {
  @FieldResolver(() => MailAccount)
  account(@Root() d: DraftRow, @Ctx() ctx: Context) {
    return ctx.loaders.mailAccountById.load(d.accountId);
  }

  @FieldResolver(() => EmailMessage, { nullable: true })
  inReplyTo(@Root() d: DraftRow, @Ctx() ctx: Context) {
    return d.inReplyToId ? ctx.loaders.emailById.load(d.inReplyToId) : null;
  }
}
