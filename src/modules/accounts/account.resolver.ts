import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { UpdateProfileInput } from './auth.inputs.js';
import { Session } from './auth.types.js';
import { User, type PublicUser } from '../users/index.js';

/** The signed-in user's own account. */
@Resolver()
export class AccountResolver {
  // ---------------------------------------------------------------- queries
  @Authorized('UNVERIFIED')
  @Query(() => User)
  me(@Ctx() ctx: Context): PublicUser {
    return viewerOf(ctx).user;
  }

  @Authorized('SESSION')
  @Query(() => [Session], { description: "The viewer's live sessions, most recently used first" })
  sessions(@Ctx() ctx: Context) {
    const viewer = viewerOf(ctx);
    return ctx.services.sessions.list(viewer.userId, viewer.sessionId);
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => User)
  updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: Context) {
    return ctx.services.account.updateProfile(viewerOf(ctx), input);
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean, { description: 'Keeps the current session and signs out every other one' })
  changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.account.changePassword(viewerOf(ctx), currentPassword, newPassword);
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean, { description: 'Deletes the account and everything it owns' })
  deleteAccount(@Arg('password', () => String) password: string, @Ctx() ctx: Context) {
    return ctx.services.account.deleteAccount(viewerOf(ctx), password);
  }

  @Authorized('SESSION')
  @Mutation(() => Int, { description: 'Revokes every session of the viewer; returns how many' })
  async logoutAllSessions(@Ctx() ctx: Context): Promise<number> {
    const viewer = viewerOf(ctx);
    const ended = await ctx.services.sessions.logoutAll(viewer.userId);
    ctx.client.clearRefreshCookie?.();
    return ended;
  }

  @Authorized('SESSION')
  @Mutation(() => Boolean)
  revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.sessions.revokeOwn(viewerOf(ctx).userId, id);
  }

  @Mutation(() => User)
  verifyEmail(@Arg('token', () => String) token: string, @Ctx() ctx: Context) {
    return ctx.services.account.verifyEmail(token);
  }

  @Mutation(() => Boolean, {
    description: 'Always true: the answer does not reveal whether the address has an account',
  })
  resendVerificationEmail(@Arg('email', () => String) email: string, @Ctx() ctx: Context) {
    return ctx.services.account.resendVerification(email);
  }

  @Mutation(() => Boolean, {
    description: 'Always true: the answer does not reveal whether the address has an account',
  })
  requestPasswordReset(@Arg('email', () => String) email: string, @Ctx() ctx: Context) {
    return ctx.services.account.requestPasswordReset(email);
  }

  @Mutation(() => Boolean, { description: 'Sets a new password and signs out every session' })
  resetPassword(
    @Arg('token', () => String) token: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.account.resetPassword(token, newPassword);
  }
}
