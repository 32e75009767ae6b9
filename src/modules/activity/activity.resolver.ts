import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { User } from '../users/index.js';
import { Activity, ActivityConnection, type ActivityRow } from './activity.type.js';

@Resolver(() => Activity)
export class ActivityResolver {
  @Authorized()
  @Query(() => ActivityConnection, {
    description: "The viewer's own actions and actions on lists they can see, newest first",
  })
  activities(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('entityType', () => String, { nullable: true }) entityType: string | null,
  ) {
    return ctx.services.activity.feed(viewerOf(ctx), first, after, entityType);
  }

  @FieldResolver(() => User)
  actor(@Root() activity: ActivityRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(activity.actorId);
  }
}
