import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { conversations, messages, modelCalls } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';
import { MonthlyUsage } from '../usage/index.js';

export enum MessageRole {
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
  SYSTEM = 'SYSTEM',
  TOOL = 'TOOL',
}
registerEnumType(MessageRole, {
  name: 'MessageRole',
  valuesConfig: { TOOL: { description: 'The result of a tool call the assistant made (JSON)' } },
});

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

@ObjectType()
export class Message {
  @Field(() => ID) id!: string;
  @Field(() => MessageRole) role!: MessageRole;
  @Field(() => String) content!: string;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => Int, { nullable: true }) promptTokens!: number | null;
  @Field(() => Int, { nullable: true }) completionTokens!: number | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why the assistant stopped early on this message: USAGE_LIMIT_EXCEEDED (the budget ran out mid-turn) or STEP_LIMIT (8 model calls)',
  })
  stopReason!: string | null;
  @Field(() => Date) createdAt!: Date;
}
export const { ConnectionType: MessageConnection } = connectionTypes('Message', Message);

@ObjectType()
export class Conversation {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => Date, { nullable: true }) lastMessageAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}
export const { ConnectionType: ConversationConnection } = connectionTypes('Conversation', Conversation);

export type ModelCallRow = typeof modelCalls.$inferSelect;

/** One call Orbit made to the model provider for a conversation. */
@ObjectType()
export class ModelCall {
  @Field(() => ID) id!: string;
  @Field(() => String) model!: string;
  @Field(() => Int) promptTokens!: number;
  @Field(() => Int) completionTokens!: number;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { description: 'ok, error, timeout, cancelled' }) status!: string;
  @Field(() => String, { nullable: true, description: 'stop, length, tool_calls, ...' }) finishReason!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class SendMessagePayload {
  @Field(() => Message) userMessage!: MessageRow;
  @Field(() => Message, { nullable: true, description: 'Null when no assistant model is configured on the server' })
  assistantMessage!: MessageRow | null;
  @Field(() => MonthlyUsage) usage!: MonthlyUsage;
}

@ObjectType()
export class MessageChunk {
  @Field(() => ID) conversationId!: string;
  @Field(() => ID) messageId!: string;
  @Field(() => String) delta!: string;
  @Field(() => Boolean, { description: 'True on the last chunk of a reply' }) done!: boolean;
}
