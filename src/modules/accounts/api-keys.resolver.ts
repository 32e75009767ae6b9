import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { CreateApiKeyInput } from './auth.inputs.js';
import { ApiKey, CreateApiKeyPayload } from './auth.types.js';

/** Keys are managed from a signed-in session only: a key cannot mint or revoke keys. */
@Resolver(() => ApiKey)
export class ApiKeysResolver {
  @Authorized('SESSION')
  @Query(() => [ApiKey], { description: "The viewer's API keys, newest first, revoked ones included" })
  apiKeys(@Ctx() ctx: Context) {
    return ctx.services.apiKeys.list(viewerOf(ctx));
  }

  @Authorized('SESSION')
  @Mutation(() => CreateApiKeyPayload)
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.create(viewerOf(ctx), input);
  }

  @Authorized('SESSION')
  @Mutation(() => ApiKey)
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.revoke(viewerOf(ctx), id);
  }
}
