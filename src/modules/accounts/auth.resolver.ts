import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { clientMeta } from '../../shared/context.js';
import { LoginInput, RegisterInput } from './auth.inputs.js';
import type { AuthResult } from './auth.service.js';
import { AuthPayload } from './auth.types.js';

/** Signing in and out. None of these needs an access token. */
@Resolver()
export class AuthResolver {
  // ---------------------------------------------------------------- mutations
  @Mutation(() => AuthPayload, { description: 'Creates the account and signs it in (a new session)' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context): Promise<AuthResult> {
    return withCookie(ctx, await ctx.services.auth.register(input, clientMeta(ctx)));
  }

  @Mutation(() => AuthPayload)
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context): Promise<AuthResult> {
    return withCookie(ctx, await ctx.services.auth.login(input, clientMeta(ctx)));
  }

  @Mutation(() => AuthPayload, { description: 'The token may come from the argument or from the refresh cookie' })
  async refreshToken(
    @Arg('refreshToken', () => String, { nullable: true }) refreshToken: string | null,
    @Ctx() ctx: Context,
  ): Promise<AuthResult> {
    return withCookie(ctx, await ctx.services.auth.refresh(refreshToken ?? ctx.client.refreshCookie));
  }

  @Mutation(() => Boolean, { description: 'Ends the session of the refresh token (argument or cookie)' })
  async logout(
    @Arg('refreshToken', () => String, { nullable: true }) refreshToken: string | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const ended = await ctx.services.auth.logout(refreshToken ?? ctx.client.refreshCookie);
    ctx.client.clearRefreshCookie?.();
    return ended;
  }
}

function withCookie(ctx: Context, result: AuthResult): AuthResult {
  ctx.client.setRefreshCookie?.(result.refreshToken, result.refreshTokenExpiresAt);
  return result;
}
