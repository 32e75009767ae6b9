import { Field, ID, InputType, Int } from 'type-graphql';
import { OrderDirection, TaskPriority } from '../tasks/index.js';
import { AutoAssignMode, StateCategory, WipPolicy } from './board.type.js';
import { CommentVisibility, TicketChannel, TicketOrderField, TriageStatus } from './ticket.type.js';

@InputType()
export class CreateBoardInput {
  @Field(() => String) name!: string;
  @Field(() => String) key!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true }) triageEnabled?: boolean | null;
}

@InputType()
export class UpdateBoardInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) key?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true }) triageEnabled?: boolean | null;
  @Field(() => AutoAssignMode, { nullable: true }) autoAssign?: AutoAssignMode | null;
  @Field(() => WipPolicy, { nullable: true }) wipPolicy?: WipPolicy | null;
  @Field(() => ID, { nullable: true }) defaultStateId?: string | null;
}

@InputType()
export class CreateBoardStateInput {
  @Field(() => String) name!: string;
  @Field(() => StateCategory) category!: StateCategory;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => Int, { nullable: true }) wipLimit?: number | null;
}

@InputType()
export class UpdateBoardStateInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => Int, { nullable: true, description: 'Set to null (explicitly) to remove the limit' })
  wipLimit?: number | null;
  @Field(() => Int, { nullable: true }) position?: number | null;
}

@InputType()
export class CreateTicketInput {
  @Field(() => ID) boardId!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => ID, { nullable: true, description: "Defaults to the board's default state; ignored when toStandby" })
  stateId?: string | null;
  @Field(() => TaskPriority, { nullable: true }) priority?: TaskPriority | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => [ID], { nullable: true }) labelIds?: string[] | null;
  @Field(() => String, {
    nullable: true,
    description: "Opening a ticket on someone's behalf (phone call, chat): replies are mailed to them",
  })
  requesterEmail?: string | null;
  @Field(() => String, { nullable: true }) requesterName?: string | null;
  @Field(() => Boolean, { nullable: true }) toStandby?: boolean | null;
}

@InputType()
export class UpdateTicketInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => TaskPriority, { nullable: true }) priority?: TaskPriority | null;
}

@InputType({ description: 'Position by neighbours; both null puts the ticket at the top of the state' })
export class MoveTicketInput {
  @Field(() => ID) stateId!: string;
  @Field(() => ID, { nullable: true }) afterId?: string | null;
  @Field(() => ID, { nullable: true }) beforeId?: string | null;
}

@InputType()
export class AcceptTicketInput {
  @Field(() => ID, { nullable: true }) stateId?: string | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Posted as a comment with this visibility (default PUBLIC) when given',
  })
  comment?: string | null;
  @Field(() => CommentVisibility, { nullable: true }) commentVisibility?: CommentVisibility | null;
}

@InputType()
export class TicketCommentInput {
  @Field(() => String) body!: string;
  @Field(() => CommentVisibility) visibility!: CommentVisibility;
}

@InputType()
export class TicketFilter {
  @Field(() => [ID], { nullable: true }) boardIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) stateIds?: string[] | null;
  @Field(() => [StateCategory], { nullable: true }) stateCategories?: StateCategory[] | null;
  @Field(() => [TriageStatus], { nullable: true }) triageStatus?: TriageStatus[] | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => Boolean, { nullable: true }) unassigned?: boolean | null;
  @Field(() => String, { nullable: true }) requesterEmail?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Tickets having all the given labels' }) labelIds?: string[] | null;
  @Field(() => [TaskPriority], { nullable: true }) priority?: TaskPriority[] | null;
  @Field(() => [TicketChannel], { nullable: true }) channel?: TicketChannel[] | null;
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive match on identifier, title, description and comments',
  })
  search?: string | null;
  @Field(() => Date, { nullable: true }) updatedAfter?: Date | null;
}

@InputType()
export class TicketOrder {
  @Field(() => TicketOrderField) field!: TicketOrderField;
  @Field(() => OrderDirection) direction!: OrderDirection;
}
