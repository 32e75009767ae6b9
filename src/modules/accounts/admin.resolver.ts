import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { Role, Tier, User, UserConnection } from '../users/index.js';

@Resolver()
export class AdminResolver {
  @Authorized('ADMIN')
  @Query(() => UserConnection, {
    description: 'Admin only. Oldest accounts first; search matches email, username and name',
  })
  users(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.admin.users(first, after, search);
  }

  @Authorized('ADMIN', 'SESSION')
  @Mutation(() => User, { description: 'Admin only' })
  suspendUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.admin.suspend(viewerOf(ctx), userId, reason);
  }

  @Authorized('ADMIN', 'SESSION')
  @Mutation(() => User, { description: 'Admin only' })
  unsuspendUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context) {
    return ctx.services.admin.unsuspend(viewerOf(ctx), userId);
  }

  @Authorized('ADMIN', 'SESSION')
  @Mutation(() => User, { description: 'Admin only. Makes a user an admin, or an admin a user' })
  setUserRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => Role) role: Role, @Ctx() ctx: Context) {
    return ctx.services.admin.setRole(viewerOf(ctx), userId, role);
  }

  @Authorized('ADMIN', 'SESSION')
  @Mutation(() => User, { description: 'Admin only. Takes effect on the next request' })
  setUserTier(@Arg('userId', () => ID) userId: string, @Arg('tier', () => Tier) tier: Tier, @Ctx() ctx: Context) {
    return ctx.services.admin.setTier(viewerOf(ctx), userId, tier);
  }
}
