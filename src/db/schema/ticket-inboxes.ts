import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { mailAccounts } from './mail.js';
import { boards, tickets } from './tracker.js';
import { users } from './users.js';

export const replyAddressModeEnum = pgEnum('reply_address_mode', ['PLUS_ADDRESS', 'HEADERS_ONLY']);
export const inboxAcceptFromEnum = pgEnum('inbox_accept_from', ['ANYONE', 'KNOWN_REQUESTERS', 'ALLOWED_DOMAINS']);
export const closedReplyPolicyEnum = pgEnum('closed_reply_policy', ['REOPEN', 'NEW_TICKET']);

/** A connected MailAccount whose new INBOX mail becomes tickets and comments on one board. */
export const ticketInboxes = pgTable(
  'ticket_inboxes',
  {
    id: uuid().primaryKey().defaultRandom(),
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    mailAccountId: uuid()
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    connectedById: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    enabled: boolean().notNull().default(true),
    replyAddressMode: replyAddressModeEnum().notNull().default('HEADERS_ONLY'),
    acceptFrom: inboxAcceptFromEnum().notNull().default('ANYONE'),
    allowedDomains: jsonb().$type<string[]>().notNull().default([]),
    closedReplyPolicy: closedReplyPolicyEnum().notNull().default('REOPEN'),
    autoReplyEnabled: boolean().notNull().default(false),
    autoReplyText: text(),
    /** Mail received before this instant is never turned into tickets. */
    ingestSince: ts().notNull().defaultNow(),
    lastIngestedAt: ts(),
    ticketsCreated: integer().notNull().default(0),
    commentsCreated: integer().notNull().default(0),
    lastError: text(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ticket_inboxes_account_key').on(t.mailAccountId),
    index('ticket_inboxes_board_idx').on(t.boardId),
    index('ticket_inboxes_connected_by_idx').on(t.connectedById),
  ],
);

/**
 * Every Message-ID an inbox has taken in or sent, once: re-syncs (a new UIDVALIDITY) never ingest a
 * message twice, and replies find their ticket by In-Reply-To/References. ticket null: a message
 * taken in without a ticket (automated mail, refused senders, Orbit's own).
 */
export const ticketMail = pgTable(
  'ticket_mail',
  {
    inboxId: uuid()
      .notNull()
      .references(() => ticketInboxes.id, { onDelete: 'cascade' }),
    messageId: text().notNull(),
    boardId: uuid()
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    ticketId: uuid().references(() => tickets.id, { onDelete: 'cascade' }),
    outbound: boolean().notNull().default(false),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.inboxId, t.messageId] }),
    index('ticket_mail_board_message_idx').on(t.boardId, t.messageId),
    index('ticket_mail_ticket_idx').on(t.ticketId),
  ],
);
