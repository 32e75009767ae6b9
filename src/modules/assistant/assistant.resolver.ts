import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { checkAccess } from '../../shared/access.js';
import { viewerOf } from '../../shared/context.js';
import { Message, type MessageRow, SendMessagePayload } from '../conversations/index.js';
import {
  AssistantAction,
  AssistantActionConnection,
  AssistantActionStatus,
  AssistantTool,
  type ActionRow,
  ToolRisk,
} from './action.type.js';
import type { Context } from './context.js';
import { schemaOf, toolsFor } from './tools/registry.js';
import { whileUnavailable } from '../../shared/retry.js';

@Resolver(() => AssistantAction)
export class AssistantResolver {
  @Authorized()
  @Query(() => [AssistantTool], {
    description: 'The tools the assistant may call for the viewer (a READ API key: READ tools only)',
  })
  assistantTools(@Ctx() ctx: Context): AssistantTool[] {
    return toolsFor(viewerOf(ctx).scopes).map((t) => ({
      name: t.name,
      description: t.description,
      risk: t.risk as ToolRisk,
      parameters: schemaOf(t),
    }));
  }

  @Authorized()
  @Query(() => AssistantActionConnection, {
    description: "The viewer's assistant actions (the assistant's and MCP clients'), newest first",
  })
  assistantActions(
    @Ctx() ctx: Context,
    @Arg('status', () => AssistantActionStatus, { nullable: true }) status: AssistantActionStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.actions.list(viewerOf(ctx), status, first, after);
  }

  @Authorized()
  @Query(() => AssistantAction)
  assistantAction(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.actions.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => SendMessagePayload, {
    description:
      'Stores the message; with a model configured, runs the assistant: its reply streams through assistantMessageStream, its tool calls become assistant actions (at most 8 model calls). History sent to the model: the most recent messages within LLM_HISTORY_TOKENS (about 4 characters a token), older ones as a summary.',
  })
  sendMessage(
    @Arg('conversationId', () => ID) conversationId: string,
    @Arg('content', () => String) content: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.assistant.send(viewerOf(ctx), conversationId, content, ctx.client.signal);
  }

  @Authorized()
  @Mutation(() => AssistantAction, {
    description:
      'Runs a PENDING action once (again: the same action); then the assistant is given the result and replies. Expired: BAD_USER_INPUT; denied: CONFLICT',
  })
  async approveAssistantAction(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    const viewer = viewerOf(ctx);
    const { action, decided } = await ctx.services.actions.approve(viewer, id, ctx.services.assistant.answer);
    if (decided) await ctx.services.assistant.continueAfter(viewer, action, ctx.client.signal);
    return action;
  }

  @Authorized()
  @Mutation(() => AssistantAction, {
    description: 'DENIED (again: the same action); the assistant is told, with the reason. Already run: CONFLICT',
  })
  async denyAssistantAction(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ) {
    const viewer = viewerOf(ctx);
    const { action, decided } = await ctx.services.actions.deny(viewer, id, reason, ctx.services.assistant.answer);
    if (decided) await ctx.services.assistant.continueAfter(viewer, action, ctx.client.signal);
    return action;
  }

  @Subscription(() => AssistantAction, {
    description: "The viewer's actions as they are created and change status",
    subscribe: ({ context }) => {
      const viewer = checkAccess(context as Context, [], 'subscription');
      return (context as Context).app.bus.iterate(`assistant-action:${viewer.userId}`);
    },
  })
  assistantActionChanged(@Root() event: { id: string }, @Ctx() ctx: Context): Promise<ActionRow> {
    return whileUnavailable(() => ctx.services.actions.get(viewerOf(ctx), event.id));
  }
}

@Resolver(() => Message)
export class MessageActionsResolver {
  @FieldResolver(() => [AssistantAction], { description: 'Tool calls the assistant made in this message' })
  actions(@Root() message: MessageRow, @Ctx() ctx: Context): Promise<ActionRow[]> | ActionRow[] {
    return message.role === 'ASSISTANT' && message.toolCalls?.length ? ctx.loaders.actionsOf.load(message.id) : [];
  }
}
