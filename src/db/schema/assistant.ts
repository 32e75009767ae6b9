import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';
import { users } from './users.js';
import { conversations, messages } from './conversations.js';

export const toolRiskEnum = pgEnum('tool_risk', ['READ', 'WRITE', 'EXTERNAL']);
export const actionStatusEnum = pgEnum('assistant_action_status', [
  'PENDING',
  'APPROVED',
  'DENIED',
  'EXECUTED',
  'FAILED',
  'EXPIRED',
]);
export const actionSourceEnum = pgEnum('action_source', ['ASSISTANT', 'MCP']);

/**
 * Every tool call the assistant (or an agent over MCP) made, allowed or not: a row, so a pending
 * approval survives a restart and every decision stays visible.
 */
export const assistantActions = pgTable(
  'assistant_actions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: uuid().references(() => conversations.id, { onDelete: 'cascade' }),
    /** The assistant message that made the call. */
    messageId: uuid().references(() => messages.id, { onDelete: 'cascade' }),
    /** The provider's id of the call (tool_calls[].id), answered by a TOOL message. */
    toolCallId: text(),
    tool: text().notNull(),
    risk: toolRiskEnum().notNull(),
    arguments: jsonb().notNull(),
    status: actionStatusEnum().notNull(),
    approvalReason: text(),
    result: jsonb(),
    error: text(),
    source: actionSourceEnum().notNull(),
    createdAt: ts()
      .notNull()
      .default(sql`clock_timestamp()`),
    decidedAt: ts(),
    executedAt: ts(),
    /** When a PENDING action becomes EXPIRED. */
    expiresAt: ts(),
    /** Its result carries content the user did not write. */
    foreign: boolean().notNull().default(false),
    /** What the person is asked to approve, fixed at the proposal (send_email: recipients, subject, digest). */
    preview: jsonb(),
  },
  (t) => [
    index('assistant_actions_user_idx').on(t.userId, t.createdAt, t.id),
    index('assistant_actions_message_idx').on(t.messageId),
    index('assistant_actions_pending_idx')
      .on(t.expiresAt)
      .where(sql`status = 'PENDING'`),
  ],
);

/**
 * MCP calls are stateless: an MCP credential (an API key or a session) that read content the user did
 * not write keeps that taint until `until`, so its WRITE calls wait for approval meanwhile.
 */
export const credentialTaints = pgTable(
  'credential_taints',
  {
    credential: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    until: ts().notNull(),
  },
  (t) => [index('credential_taints_user_idx').on(t.userId)],
);
