import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ticketInboxes } from '../../db/schema/index.js';

export enum ReplyAddressMode {
  PLUS_ADDRESS = 'PLUS_ADDRESS',
  HEADERS_ONLY = 'HEADERS_ONLY',
}
export enum InboxAcceptFrom {
  ANYONE = 'ANYONE',
  KNOWN_REQUESTERS = 'KNOWN_REQUESTERS',
  ALLOWED_DOMAINS = 'ALLOWED_DOMAINS',
}
export enum ClosedReplyPolicy {
  REOPEN = 'REOPEN',
  NEW_TICKET = 'NEW_TICKET',
}
registerEnumType(ReplyAddressMode, {
  name: 'ReplyAddressMode',
  description:
    'HEADERS_ONLY (the default): replies are matched by In-Reply-To/References and [KEY-n]; PLUS_ADDRESS: also by a token in local+t-<token>@domain (the mail server must deliver plus addresses)',
});
registerEnumType(InboxAcceptFrom, {
  name: 'InboxAcceptFrom',
  description: 'Who may open new tickets by mail (Jira SM customer permissions)',
});
registerEnumType(ClosedReplyPolicy, {
  name: 'ClosedReplyPolicy',
  description: 'What a reply to a COMPLETED/CANCELED ticket does',
});

export type InboxRow = typeof ticketInboxes.$inferSelect & { address: string };

@ObjectType({ description: 'A connected MailAccount whose new INBOX mail becomes tickets and comments on one board' })
export class TicketInbox {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The mailbox address, e.g. support@example.com' }) address!: string;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => ReplyAddressMode) replyAddressMode!: ReplyAddressMode;
  @Field(() => InboxAcceptFrom) acceptFrom!: InboxAcceptFrom;
  @Field(() => [String]) allowedDomains!: string[];
  @Field(() => ClosedReplyPolicy) closedReplyPolicy!: ClosedReplyPolicy;
  @Field(() => Boolean) autoReplyEnabled!: boolean;
  @Field(() => String, { nullable: true }) autoReplyText!: string | null;
  @Field(() => Date, { description: 'Mail received before this instant is never turned into tickets' })
  ingestSince!: Date;
  @Field(() => Date, { nullable: true }) lastIngestedAt!: Date | null;
  @Field(() => Int) ticketsCreated!: number;
  @Field(() => Int) commentsCreated!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class UpdateTicketInboxInput {
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => ReplyAddressMode, { nullable: true }) replyAddressMode?: ReplyAddressMode | null;
  @Field(() => InboxAcceptFrom, { nullable: true }) acceptFrom?: InboxAcceptFrom | null;
  @Field(() => [String], { nullable: true }) allowedDomains?: string[] | null;
  @Field(() => ClosedReplyPolicy, { nullable: true }) closedReplyPolicy?: ClosedReplyPolicy | null;
  @Field(() => Boolean, { nullable: true }) autoReplyEnabled?: boolean | null;
  @Field(() => String, { nullable: true }) autoReplyText?: string | null;
}

@InputType()
export class ConnectTicketInboxInput {
  @Field(() => ID) boardId!: string;
  @Field(() => ID, { description: "One of the viewer's own MailAccounts, with SMTP configured" })
  mailAccountId!: string;
  @Field(() => ReplyAddressMode, { nullable: true }) replyAddressMode?: ReplyAddressMode | null;
  @Field(() => InboxAcceptFrom, { nullable: true }) acceptFrom?: InboxAcceptFrom | null;
  @Field(() => [String], { nullable: true }) allowedDomains?: string[] | null;
  @Field(() => ClosedReplyPolicy, { nullable: true }) closedReplyPolicy?: ClosedReplyPolicy | null;
  @Field(() => Boolean, { nullable: true }) autoReplyEnabled?: boolean | null;
  @Field(() => String, { nullable: true }) autoReplyText?: string | null;
}
