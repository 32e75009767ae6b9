import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { assistantActions } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';
import { JSONScalar } from '../../shared/scalars.js';

export enum ToolRisk {
  READ = 'READ',
  WRITE = 'WRITE',
  EXTERNAL = 'EXTERNAL',
}
registerEnumType(ToolRisk, {
  name: 'ToolRisk',
  description:
    'READ runs at once; WRITE runs at once unless the turn read content the viewer did not write; EXTERNAL always waits for approval',
});

export enum AssistantActionStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  DENIED = 'DENIED',
  EXECUTED = 'EXECUTED',
  FAILED = 'FAILED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(AssistantActionStatus, { name: 'AssistantActionStatus' });

export enum ActionSource {
  ASSISTANT = 'ASSISTANT',
  MCP = 'MCP',
}
registerEnumType(ActionSource, { name: 'ActionSource' });

export type ActionRow = typeof assistantActions.$inferSelect;

@ObjectType({ description: 'A tool the assistant (and MCP clients) may call' })
export class AssistantTool {
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => ToolRisk) risk!: ToolRisk;
  @Field(() => JSONScalar, { description: 'JSON Schema of the arguments' }) parameters!: unknown;
}

@ObjectType({ description: 'One tool call, allowed or not, and what became of it' })
export class AssistantAction {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true }) conversationId!: string | null;
  @Field(() => String) tool!: string;
  @Field(() => ToolRisk) risk!: ToolRisk;
  @Field(() => JSONScalar) arguments!: unknown;
  @Field(() => AssistantActionStatus) status!: AssistantActionStatus;
  @Field(() => String, { nullable: true, description: 'UNTRUSTED_CONTENT or EXTERNAL_EFFECT while it waits' })
  approvalReason!: string | null;
  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'What approving will do, fixed when it was proposed (send_email: recipients, subject and a digest of the body); approving does exactly that',
  })
  preview!: unknown;
  @Field(() => JSONScalar, { nullable: true }) result!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => ActionSource) source!: ActionSource;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  @Field(() => Date, { nullable: true }) executedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a PENDING action expires (24 hours after it was made)' })
  expiresAt!: Date | null;
}
export const { ConnectionType: AssistantActionConnection } = connectionTypes('AssistantAction', AssistantAction);
