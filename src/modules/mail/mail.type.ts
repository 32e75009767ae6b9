import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type {
  emailAttachments,
  emailDrafts,
  emailMessages,
  integrationLogs,
  mailAccounts,
  mailThreads,
} from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export enum MailSyncState {
  PENDING = 'PENDING',
  SYNCING = 'SYNCING',
  IDLE = 'IDLE',
  FAILED = 'FAILED',
}
registerEnumType(MailSyncState, { name: 'MailSyncState' });
export enum DraftStatus {
  DRAFT = 'DRAFT',
  QUEUED = 'QUEUED',
  /** Handed to the SMTP server: committed before it, so a send cut off there is checked, not repeated. */
  SENDING = 'SENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}
registerEnumType(DraftStatus, { name: 'DraftStatus' });
export enum IntegrationStatus {
  RUNNING = 'RUNNING',
  SUCCESS = 'SUCCESS',
  PARTIAL = 'PARTIAL',
  FAILURE = 'FAILURE',
}
registerEnumType(IntegrationStatus, { name: 'IntegrationStatus' });

export type AccountRow = typeof mailAccounts.$inferSelect;
export type ThreadRow = typeof mailThreads.$inferSelect;
export type EmailRow = typeof emailMessages.$inferSelect;
export type AttachmentRow = Omit<typeof emailAttachments.$inferSelect, 'content'>;
export type DraftRow = typeof emailDrafts.$inferSelect;
export type LogRow = typeof integrationLogs.$inferSelect;

@ObjectType({ description: 'An IMAP account (and SMTP for sending); the password is never returned' })
export class MailAccount {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String) imapHost!: string;
  @Field(() => Int) imapPort!: number;
  @Field(() => String, { nullable: true }) smtpHost!: string | null;
  @Field(() => Int, { nullable: true }) smtpPort!: number | null;
  @Field(() => MailSyncState) syncState!: MailSyncState;
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class ConnectMailAccountInput {
  @Field(() => String) email!: string;
  @Field(() => String) username!: string;
  @Field(() => String) password!: string;
  @Field(() => String) imapHost!: string;
  @Field(() => Int) imapPort!: number;
  @Field(() => Boolean, {
    description: 'TLS from the start (993); false: STARTTLS when offered, else plain (local servers only)',
  })
  imapTls!: boolean;
  @Field(() => String, { nullable: true }) smtpHost?: string | null;
  @Field(() => Int, { nullable: true }) smtpPort?: number | null;
  @Field(() => Boolean, { nullable: true }) smtpTls?: boolean | null;
}

@ObjectType()
export class MailAddress {
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String) address!: string;
}

@ObjectType()
export class EmailAttachment {
  @Field(() => ID) id!: string;
  @Field(() => String) filename!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int) size!: number;
}

@ObjectType()
export class EmailMessage {
  @Field(() => ID) id!: string;
  @Field(() => String) folder!: string;
  @Field(() => String, { nullable: true, description: 'The Message-ID header' }) messageId!: string | null;
  @Field(() => String) subject!: string;
  @Field(() => [MailAddress]) to!: MailAddress[];
  @Field(() => [MailAddress]) cc!: MailAddress[];
  @Field(() => Date, { nullable: true }) sentAt!: Date | null;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => String) snippet!: string;
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => String, { nullable: true }) html!: string | null;
  @Field(() => Boolean) seen!: boolean;
}

@ObjectType()
export class MailThread {
  @Field(() => ID) id!: string;
  @Field(() => String) subject!: string;
  @Field(() => Date) lastMessageAt!: Date;
}
export const { ConnectionType: MailThreadConnection } = connectionTypes('MailThread', MailThread);

@InputType()
export class DraftInput {
  @Field(() => ID) accountId!: string;
  @Field(() => [String]) to!: string[];
  @Field(() => [String], { nullable: true }) cc?: string[] | null;
  @Field(() => String) subject!: string;
  @Field(() => String) text!: string;
  @Field(() => ID, { nullable: true }) inReplyToId?: string | null;
}

@ObjectType()
export class EmailDraft {
  @Field(() => ID) id!: string;
  @Field(() => [String]) to!: string[];
  @Field(() => [String]) cc!: string[];
  @Field(() => String) subject!: string;
  @Field(() => String) text!: string;
  @Field(() => DraftStatus) status!: DraftStatus;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date, { nullable: true }) sentAt!: Date | null;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: 'One run of an integration (an IMAP sync, an SMTP send)' })
export class IntegrationLog {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'imap, smtp, ...' }) integration!: string;
  @Field(() => String, { description: 'sync, send, ...' }) action!: string;
  @Field(() => IntegrationStatus) status!: IntegrationStatus;
  @Field(() => Int) itemsProcessed!: number;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}
export const { ConnectionType: IntegrationLogConnection } = connectionTypes('IntegrationLog', IntegrationLog);
