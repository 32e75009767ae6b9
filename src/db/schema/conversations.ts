import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';

export const messageRoleEnum = pgEnum('message_role', ['USER', 'ASSISTANT', 'SYSTEM', 'TOOL']);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    /** The model's summary of the messages up to summarySeq, sent in their place once they outgrow the history budget. */
    summary: text(),
    summarySeq: bigint({ mode: 'number' }),
    /** The summary was folded from messages carrying content the user did not write. */
    summaryForeign: boolean().notNull().default(false),
    lastMessageAt: ts(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [index('conversations_user_idx').on(t.userId, t.updatedAt, t.id)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Strictly increasing: the order of a conversation. */
    seq: bigserial({ mode: 'number' }).notNull(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: messageRoleEnum().notNull(),
    content: text().notNull(),
    model: text(),
    promptTokens: integer(),
    completionTokens: integer(),
    /** ASSISTANT messages: the tool calls the model made, exactly as sent back to it. */
    toolCalls: jsonb().$type<Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>>(),
    /** TOOL messages: the tool call they answer. */
    toolCallId: text(),
    /** The last assistant message of a turn that ended early: USAGE_LIMIT_EXCEEDED, STEP_LIMIT. */
    stopReason: text(),
    /** TOOL messages: the result carries content the user did not write (the turn that sees it is tainted). */
    foreign: boolean().notNull().default(false),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index('messages_conversation_seq_idx').on(t.conversationId, t.seq)],
);

/** One row per model call Orbit makes: what the provider was asked, how long it took, how it ended. */
export const modelCalls = pgTable(
  'model_calls',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    model: text().notNull(),
    promptTokens: integer().notNull(),
    completionTokens: integer().notNull(),
    latencyMs: integer().notNull(),
    /** ok, error, timeout, cancelled */
    status: text().notNull(),
    /** The provider's finish_reason: stop, length, tool_calls, ... */
    finishReason: text(),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [
    index('model_calls_conversation_idx').on(t.conversationId, t.createdAt),
    index('model_calls_user_idx').on(t.userId),
  ],
);
