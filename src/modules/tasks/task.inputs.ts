import { Field, ID, InputType, Int } from 'type-graphql';
import { OrderDirection, TaskOrderField, TaskPriority, TaskStatus } from './task.type.js';

@InputType()
export class TaskFilter {
  @Field(() => [TaskStatus], { nullable: true, description: 'Any of these statuses (at most 100)' }) status?:
    TaskStatus[] | null;
  @Field(() => [TaskPriority], { nullable: true, description: 'Any of these priorities (at most 100)' }) priority?:
    TaskPriority[] | null;
  @Field(() => [ID], { nullable: true, description: 'Tasks having all the given labels (at most 100)' }) labelIds?:
    string[] | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => Date, { nullable: true, description: 'dueAt < dueBefore' }) dueBefore?: Date | null;
  @Field(() => Date, { nullable: true, description: 'dueAt >= dueAfter' }) dueAfter?: Date | null;
  @Field(() => String, { nullable: true, description: 'Case-insensitive match on title and notes' }) search?:
    string | null;
  @Field(() => ID, { nullable: true, description: "Tasks in this project (the viewer's own)" }) projectId?:
    string | null;
}

@InputType()
export class TaskOrder {
  @Field(() => TaskOrderField) field!: TaskOrderField;
  @Field(() => OrderDirection) direction!: OrderDirection;
}

@InputType()
export class CreateTaskListInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true, description: '#RRGGBB' }) color?: string | null;
}

@InputType()
export class UpdateTaskListInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => Int, { nullable: true, description: "New place among the owner's lists; the others shift" }) position?:
    number | null;
}

@InputType()
export class CreateTaskInput {
  @Field(() => ID) listId!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field(() => TaskStatus, { nullable: true }) status?: TaskStatus | null;
  @Field(() => TaskPriority, { nullable: true }) priority?: TaskPriority | null;
  @Field(() => Date, { nullable: true }) dueAt?: Date | null;
  @Field(() => ID, { nullable: true, description: 'Must be a member of the list' }) assigneeId?: string | null;
  @Field(() => [ID], { nullable: true, description: "The viewer's own labels (at most 100)" }) labelIds?:
    string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'The due date is a day: dueAt becomes 23:59:59 local' })
  dueAllDay?: boolean | null;
  @Field(() => ID, { nullable: true, description: "One of the viewer's projects, not archived" }) projectId?:
    string | null;
  @Field(() => ID, { nullable: true, description: 'A section of that project' }) sectionId?: string | null;
}

@InputType()
export class UpdateTaskInput {
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
  @Field(() => TaskStatus, { nullable: true }) status?: TaskStatus | null;
  @Field(() => TaskPriority, { nullable: true }) priority?: TaskPriority | null;
  @Field(() => Date, { nullable: true, description: 'null clears the due date' }) dueAt?: Date | null;
  @Field(() => ID, { nullable: true, description: 'null unassigns' }) assigneeId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'The due date is a day: dueAt becomes 23:59:59 local' })
  dueAllDay?: boolean | null;
  @Field(() => ID, { nullable: true, description: 'Explicit null removes the task from its project' }) projectId?:
    string | null;
  @Field(() => ID, { nullable: true, description: "A section of the task's project; null: none" }) sectionId?:
    string | null;
}

@InputType()
export class CreateLabelInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color?: string | null;
}

@InputType()
export class UpdateLabelInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
}
