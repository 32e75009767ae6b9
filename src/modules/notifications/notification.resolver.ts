import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { checkAccess } from '../../shared/access.js';
import { notificationStream } from './notification.store.js';
import { Notification, NotificationConnection, type NotificationRow } from './notification.type.js';

@Resolver(() => Notification)
export class NotificationResolver {
  // ---------------------------------------------------------------- queries
  @Authorized()
  @Query(() => NotificationConnection, { description: 'Newest first' })
  notifications(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly: boolean | null,
  ) {
    return ctx.services.notifications.list(viewerOf(ctx), first, after, unreadOnly);
  }

  @Authorized()
  @Query(() => Int)
  unreadNotificationCount(@Ctx() ctx: Context) {
    return ctx.services.notifications.unread(viewerOf(ctx));
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => Int, {
    description: 'Marks the given notifications read, or all of them when ids is null; returns how many changed',
  })
  markNotificationsRead(
    @Arg('ids', () => [ID], { nullable: true, description: 'At most 100; null marks every notification read' })
    ids: string[] | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.notifications.markRead(viewerOf(ctx), ids);
  }

  // ---------------------------------------------------------------- subscriptions
  // Access is checked when the subscription starts (checkAccess), not on every event.
  @Subscription(() => Notification, {
    description:
      "The viewer's new notifications. With after (a notification id) the ones created since it are replayed first, so a reconnecting client misses none.",
    subscribe: ({ args, context }) => {
      const viewer = checkAccess(context as Context, [], 'subscription');
      return notificationStream(
        (context as Context).app,
        viewer.userId,
        (args as { after?: string | null }).after ?? null,
      );
    },
  })
  notificationAdded(
    @Root() notification: NotificationRow,
    @Arg('after', () => ID, { nullable: true }) _after: string | null,
  ): NotificationRow {
    return notification;
  }
}
