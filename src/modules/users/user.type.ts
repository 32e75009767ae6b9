import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { getTableColumns } from 'drizzle-orm';
import { users } from '../../db/schema/index.js';
import { connectionTypes } from '../../shared/pagination.js';

export enum Role {
  USER = 'USER',
  ADMIN = 'ADMIN',
}
export enum Tier {
  FREE = 'FREE',
  STARTER = 'STARTER',
  BUILDER = 'BUILDER',
  ADVANCED = 'ADVANCED',
}
registerEnumType(Role, { name: 'Role' });
registerEnumType(Tier, { name: 'Tier' });

export type UserRow = typeof users.$inferSelect;
/** A user row without the password hash: what the viewer and the loaders carry around. */
export type PublicUser = Omit<UserRow, 'passwordHash'>;

const { passwordHash: _hash, ...publicColumns } = getTableColumns(users);
/** Select these to read a user without the password hash. */
export const publicUserColumns = publicColumns;

/** The GraphQL User. Its resolvers receive a users row; computed fields live in user.resolver.ts. */
@ObjectType()
export class User {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) username!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { description: 'IANA zone, e.g. Europe/Warsaw' }) timezone!: string;
  @Field(() => Role) role!: Role;
  @Field(() => Tier) tier!: Tier;
  @Field(() => Date) createdAt!: Date;
}

export const { ConnectionType: UserConnection } = connectionTypes('User', User);
