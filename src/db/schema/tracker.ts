import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { draftStatusEnum, emailDrafts, emailMessages } from './mail.js';
import { listRoleEnum, taskPriorityEnum } from './tasks.js';
import { users } from './users.js';

export const stateCategoryEnum = pgEnum('state_category', ['BACKLOG', 'UNSTARTED', 'STARTED', 'COMPLETED', 'CANCELED']);
export const triageStatusEnum = pgEnum('triage_status', ['PENDING', 'SNOOZED', 'ACCEPTED', 'DECLINED', 'DUPLICATE']);
export const ticketChannelEnum = pgEnum('ticket_channel', ['APP', 'EMAIL', 'PUBLIC_FORM', 'ASSISTANT']);
export const commentVisibilityEnum = pgEnum('comment_visibility', ['PUBLIC', 'INTERNAL']);
export const autoAssignEnum = pgEnum('auto_assign_mode', ['OFF', 'ROUND_ROBIN', 'BALANCED']);
export const wipPolicyEnum = pgEnum('wip_policy', ['WARN', 'BLOCK']);

/** A fractional-index key: compared byte by byte (collation C), as the keys are generated. */
const rankKey = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const boards = pgTable(
  'boards',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    name: text().notNull(),
    description: text(),
    /** Set right after the board's states are created; never null afterwards. */
    defaultStateId: uuid().references((): AnyPgColumn => boardStates.id, { onDelete: 'set null' }),
    triageEnabled: boolean().notNull().default(false),
    autoAssign: autoAssignEnum().notNull().default('OFF'),
    wipPolicy: wipPolicyEnum().notNull().default('WARN'),
    /** The number the next ticket gets; taken under the board's row lock, never reused. */
    nextNumber: integer().notNull().default(1),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('boards_owner_key_key').on(t.ownerId, t.key)],
);

/** Keys a board had before: identifiers with them still resolve in mail subjects. */
export const boardFormerKeys = pgTable(
  'board_former_keys',
  {
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    retiredAt: ts().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.boardId, t.key] })],
);

/** Everyone who sees a board, the owner included (role OWNER). */
export const boardMembers = pgTable(
  'board_members',
  {
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: listRoleEnum().notNull(),
    acceptsAssignments: boolean().notNull().default(true),
    /** When the rota last gave this member a ticket (ROUND_ROBIN picks the oldest). */
    lastAssignedAt: ts(),
    addedAt: ts().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.boardId, t.userId] }), index('board_members_user_idx').on(t.userId)],
);

export const boardStates = pgTable(
  'board_states',
  {
    id: uuid().primaryKey().defaultRandom(),
    boardId: uuid()
      .notNull()
      .references((): AnyPgColumn => boards.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    category: stateCategoryEnum().notNull(),
    position: integer().notNull(),
    wipLimit: integer(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [index('board_states_board_idx').on(t.boardId, t.position)],
);

export const boardLabels = pgTable(
  'board_labels',
  {
    id: uuid().primaryKey().defaultRandom(),
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('board_labels_board_name_key').on(t.boardId, sql`lower(${t.name})`)],
);

export const tickets = pgTable(
  'tickets',
  {
    id: uuid().primaryKey().defaultRandom(),
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    number: integer().notNull(),
    title: text().notNull(),
    description: text(),
    /** Null while the ticket waits in the standby queue. */
    stateId: uuid().references(() => boardStates.id),
    triageStatus: triageStatusEnum(),
    snoozedUntil: ts(),
    duplicateOfId: uuid().references((): AnyPgColumn => tickets.id, { onDelete: 'set null' }),
    priority: taskPriorityEnum().notNull().default('MEDIUM'),
    /** Fractional-index key inside the state; '' while the ticket has no state. */
    rank: rankKey().notNull().default(''),
    assigneeId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdById: uuid().references(() => users.id, { onDelete: 'set null' }),
    requesterEmail: text(),
    requesterName: text(),
    channel: ticketChannelEnum().notNull(),
    /** False while a public-form submission waits for its email confirmation (outside the queue). */
    confirmed: boolean().notNull().default(true),
    /** Random: the plus-address token of replies by mail (local+t-<token>@domain). */
    mailToken: text(),
    /** The mail that opened it (its attachments). */
    emailId: uuid().references(() => emailMessages.id, { onDelete: 'set null' }),
    /** A ticket this one was opened beside (a stranger's reply on its thread, a reply to it once closed). */
    relatedToId: uuid().references((): AnyPgColumn => tickets.id, { onDelete: 'set null' }),
    firstResponseAt: ts(),
    lastActivityAt: ts().notNull().defaultNow(),
    completedAt: ts(),
    canceledAt: ts(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_board_number_key').on(t.boardId, t.number),
    uniqueIndex('tickets_state_rank_key')
      .on(t.stateId, t.rank)
      .where(sql`${t.stateId} is not null`),
    index('tickets_board_created_idx').on(t.boardId, t.createdAt, t.id),
    index('tickets_board_updated_idx').on(t.boardId, t.updatedAt, t.id),
    index('tickets_board_activity_idx').on(t.boardId, t.lastActivityAt, t.id),
    index('tickets_board_triage_idx')
      .on(t.boardId, t.createdAt, t.id)
      .where(sql`${t.triageStatus} in ('PENDING', 'SNOOZED')`),
    index('tickets_assignee_idx').on(t.assigneeId),
    index('tickets_created_by_idx').on(t.createdById),
    index('tickets_duplicate_of_idx').on(t.duplicateOfId),
    index('tickets_requester_idx').on(t.boardId, t.requesterEmail),
    uniqueIndex('tickets_mail_token_key').on(t.mailToken),
    index('tickets_related_to_idx').on(t.relatedToId),
  ],
);

export const ticketLabels = pgTable(
  'ticket_labels',
  {
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    labelId: uuid()
      .notNull()
      .references(() => boardLabels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.labelId] }), index('ticket_labels_label_idx').on(t.labelId)],
);

/** CC'd people outside the board: public replies go to them too. Stored lower-cased. */
export const ticketParticipants = pgTable(
  'ticket_participants',
  {
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    name: text(),
    addedAt: ts().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.email] })],
);

export const ticketComments = pgTable(
  'ticket_comments',
  {
    id: uuid().primaryKey().defaultRandom(),
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    body: text().notNull(),
    visibility: commentVisibilityEnum().notNull(),
    channel: ticketChannelEnum().notNull(),
    /** The member who wrote it; null when a requester or participant did. */
    authorId: uuid().references(() => users.id, { onDelete: 'set null' }),
    requesterEmail: text(),
    requesterName: text(),
    deliveryStatus: draftStatusEnum(),
    deliveryError: text(),
    /** Message-ID of the mail this comment came from or was sent as (threading and bounces). */
    messageId: text(),
    /** The synced message an inbound comment came from (its attachments). */
    emailId: uuid().references(() => emailMessages.id, { onDelete: 'set null' }),
    /** The outbound mail of a PUBLIC member comment: its status is the comment's deliveryStatus. */
    draftId: uuid().references(() => emailDrafts.id, { onDelete: 'set null' }),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
    editedAt: ts(),
  },
  (t) => [
    index('ticket_comments_ticket_idx').on(t.ticketId, t.createdAt, t.id),
    index('ticket_comments_author_idx').on(t.authorId),
    index('ticket_comments_message_idx').on(t.messageId),
    index('ticket_comments_email_idx').on(t.emailId),
    index('ticket_comments_draft_idx').on(t.draftId),
  ],
);

/** A board's anonymous request form (one per board): off until enabled; a rotated slug is gone. */
export const publicForms = pgTable(
  'public_forms',
  {
    boardId: uuid()
      .primaryKey()
      .references(() => boards.id, { onDelete: 'cascade' }),
    enabled: boolean().notNull().default(false),
    slug: text().notNull(),
    requireEmailConfirmation: boolean().notNull().default(true),
    intro: text(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('public_forms_slug_key').on(t.slug)],
);

/**
 * A requester's private link to one ticket (the public form's confirmation and view link), stored
 * as a SHA-256 hash. Valid while the ticket is open and for 30 days after it closes.
 */
export const publicTicketTokens = pgTable(
  'public_ticket_tokens',
  {
    tokenHash: text().primaryKey(),
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [index('public_ticket_tokens_ticket_idx').on(t.ticketId)],
);
