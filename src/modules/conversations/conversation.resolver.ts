import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  Authorized,
} from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { pageRequest } from '../../shared/pagination.js';
import { checkAccess } from '../../shared/access.js';
import {
  Conversation,
  ConversationConnection,
  type ConversationRow,
  MessageChunk,
  MessageConnection,
  ModelCall,
} from './conversation.type.js';

@Resolver(() => Conversation)
export class ConversationResolver {
  // ---------------------------------------------------------------- queries
  @Authorized()
  @Query(() => ConversationConnection, { description: 'Most recently active first' })
  conversations(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.conversations.list(viewerOf(ctx), first, after);
  }

  @Authorized()
  @Query(() => Conversation)
  conversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.conversations.get(viewerOf(ctx), id);
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => Conversation, { description: 'Title defaults to "New conversation"' })
  createConversation(@Arg('title', () => String, { nullable: true }) title: string | null, @Ctx() ctx: Context) {
    return ctx.services.conversations.create(viewerOf(ctx), title);
  }

  @Authorized()
  @Mutation(() => Conversation)
  renameConversation(@Arg('id', () => ID) id: string, @Arg('title', () => String) title: string, @Ctx() ctx: Context) {
    return ctx.services.conversations.rename(viewerOf(ctx), id, title);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteConversation(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.conversations.delete(viewerOf(ctx), id);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => [ModelCall], {
    description: 'The model calls made for this conversation, oldest first (the most recent 100), failed ones included',
  })
  modelCalls(@Root() conversation: ConversationRow, @Ctx() ctx: Context) {
    return ctx.loaders.modelCallsOf.load(conversation.id);
  }

  @FieldResolver(() => MessageConnection, { description: 'Oldest first, newest last' })
  messages(
    @Root() conversation: ConversationRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.loaders.messagesOf(pageRequest(first, after)).load(conversation.id);
  }

  // ---------------------------------------------------------------- subscriptions
  @Subscription(() => MessageChunk, {
    description: 'Assistant reply tokens as they are generated',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      checkAccess(ctx, [], 'subscription');
      const conversation = await ctx.services.conversations.get(
        viewerOf(ctx),
        (args as { conversationId: string }).conversationId,
      );
      return ctx.app.bus.iterate(`assistant:${conversation.id}`);
    },
  })
  assistantMessageStream(
    @Root() chunk: MessageChunk,
    @Arg('conversationId', () => ID) _conversationId: string,
  ): MessageChunk {
    return chunk;
  }
}
