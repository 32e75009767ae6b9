import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../users/index.js';

export enum ApiKeyScope {
  READ = 'READ',
  WRITE = 'WRITE',
}
registerEnumType(ApiKeyScope, { name: 'ApiKeyScope' });

@ObjectType()
export class AuthPayload {
  @Field(() => String) accessToken!: string;
  @Field(() => Date) accessTokenExpiresAt!: Date;
  @Field(() => String) refreshToken!: string;
  @Field(() => Date) refreshTokenExpiresAt!: Date;
  @Field(() => User) user!: User;
}

@ObjectType({ description: 'A signed-in device: one refresh-token family' })
export class Session {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
  @Field(() => String, { nullable: true }) ipAddress!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) lastUsedAt!: Date;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => Boolean) current!: boolean;
}

@ObjectType()
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Non-secret leading part of the key, shown so the user can tell keys apart' })
  prefix!: string;
  @Field(() => [ApiKeyScope]) scopes!: ApiKeyScope[];
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Boolean) revoked!: boolean;
}

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKey) apiKey!: ApiKey;
  @Field(() => String, { description: 'The whole key; returned once, never stored in clear' }) secret!: string;
}
