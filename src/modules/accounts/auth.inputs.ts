import { Field, InputType } from 'type-graphql';
import { ApiKeyScope } from './auth.types.js';

@InputType()
export class RegisterInput {
  @Field(() => String) email!: string;
  @Field(() => String) password!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true, description: 'IANA zone, e.g. Europe/Warsaw; defaults to UTC' })
  timezone?: string | null;
}

@InputType()
export class LoginInput {
  @Field(() => String, { description: 'Email or username' }) identifier!: string;
  @Field(() => String) password!: string;
}

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) username?: string | null;
  @Field(() => String, { nullable: true }) timezone?: string | null;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String) name!: string;
  @Field(() => [ApiKeyScope], { description: 'At most 100' }) scopes!: ApiKeyScope[];
  @Field(() => Date, { nullable: true }) expiresAt?: Date | null;
}
