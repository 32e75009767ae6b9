import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum PublicTicketStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}
registerEnumType(PublicTicketStatus, {
  name: 'PublicTicketStatus',
  description:
    'As a requester sees it: PENDING, SNOOZED, BACKLOG and UNSTARTED are OPEN; STARTED is IN_PROGRESS; COMPLETED is RESOLVED; CANCELED, DECLINED and DUPLICATE are CLOSED',
});

@ObjectType()
export class PublicForm {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String, { description: 'Unguessable path segment of the form; rotating it retires the old one' })
  slug!: string;
  @Field(() => Boolean, {
    description:
      'Tickets wait unconfirmed (and nothing else is mailed) until the submitter follows the emailed link; true by default',
  })
  requireEmailConfirmation!: boolean;
  @Field(() => String, { description: 'Where the HTML form is served: <server>/public/forms/<slug>' }) url!: string;
  @Field(() => String, { nullable: true }) intro!: string | null;
  @Field(() => Int) submissionsToday!: number;
  @Field(() => Date) updatedAt!: Date;
}

@InputType()
export class PublicFormInput {
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => Boolean, { nullable: true }) requireEmailConfirmation?: boolean | null;
  @Field(() => String, { nullable: true }) intro?: string | null;
}

@ObjectType({ description: 'What an anonymous visitor may see of a form' })
export class PublicFormInfo {
  @Field(() => String) boardName!: string;
  @Field(() => String, { nullable: true }) intro!: string | null;
  @Field(() => Boolean) requireEmailConfirmation!: boolean;
}

@InputType()
export class PublicTicketInput {
  @Field(() => String) slug!: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String) email!: string;
  @Field(() => String) title!: string;
  @Field(() => String) body!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Honeypot: must be empty or absent; a filled one is accepted-looking and dropped',
  })
  website?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Required only when the server has a CAPTCHA provider configured',
  })
  captchaToken?: string | null;
}

@ObjectType({
  description: 'The same shape whatever happened, so it reveals nothing about the address or the honeypot',
})
export class PublicTicketReceipt {
  @Field(() => Boolean) accepted!: boolean;
  @Field(() => Boolean) confirmationRequired!: boolean;
}

@ObjectType()
export class PublicComment {
  @Field(() => String) body!: string;
  @Field(() => Boolean) fromRequester!: boolean;
  @Field(() => String, { nullable: true, description: "Member display name, or the requester's name" })
  authorName!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({
  description: 'One ticket as its requester sees it through the link mailed to them: public comments only',
})
export class PublicTicketView {
  @Field(() => String) identifier!: string;
  @Field(() => String) title!: string;
  @Field(() => PublicTicketStatus) status!: PublicTicketStatus;
  @Field(() => [PublicComment]) comments!: PublicComment[];
  @Field(() => Date) createdAt!: Date;
}
