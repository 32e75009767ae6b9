import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { User, type PublicUser } from './user.type.js';

/** The computed fields of User. */
@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Boolean)
  emailVerified(@Root() user: PublicUser): boolean {
    return user.emailVerifiedAt !== null;
  }

  @FieldResolver(() => Boolean)
  suspended(@Root() user: PublicUser): boolean {
    return user.suspendedAt !== null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Visible to the user and to admins only; null otherwise',
  })
  suspensionReason(@Root() user: PublicUser, @Ctx() ctx: Context): string | null {
    const viewer = ctx.viewer;
    if (!viewer || (viewer.userId !== user.id && viewer.user.role !== 'ADMIN')) return null;
    return user.suspensionReason;
  }
}
