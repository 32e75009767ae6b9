import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { areas, projectSections, projects } from '../../db/schema/index.js';
import { DateScalar } from '../../shared/scalars.js';

export enum ProjectStatus {
  PLANNED = 'PLANNED',
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(ProjectStatus, { name: 'ProjectStatus' });

export type ProjectRow = typeof projects.$inferSelect;
export type AreaRow = typeof areas.$inferSelect;
export type SectionRow = typeof projectSections.$inferSelect;

/** Resolvers receive rows; area, owner, sections, progress and tasks come from loaders. */
@ObjectType()
export class Project {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true }) color!: string | null;
  @Field(() => ProjectStatus) status!: ProjectStatus;
  @Field(() => DateScalar, { nullable: true }) startDate!: string | null;
  @Field(() => DateScalar, { nullable: true }) dueDate!: string | null;
  @Field(() => Int, { description: "Dense order of the owner's projects, from 0" }) position!: number;
  @Field(() => Date, { nullable: true, description: 'Set on COMPLETED, cleared on leaving it' })
  completedAt!: Date | null;
  @Field(() => Date, { nullable: true }) archivedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class Area {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color!: string | null;
  @Field(() => Int) position!: number;
}

@ObjectType()
export class ProjectSection {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Int) position!: number;
}

@ObjectType()
export class ProjectProgress {
  @Field(() => Int, { description: 'Tasks in the project, CANCELLED excluded' }) total!: number;
  @Field(() => Int, { description: 'DONE tasks' }) done!: number;
  @Field(() => Int, { description: 'floor(100 * done / total); 0 when total is 0' }) percent!: number;
}

@InputType()
export class CreateProjectInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true, description: '#RRGGBB' }) color?: string | null;
  @Field(() => ProjectStatus, { nullable: true, description: 'ACTIVE by default' }) status?: ProjectStatus | null;
  @Field(() => ID, { nullable: true }) areaId?: string | null;
  @Field(() => DateScalar, { nullable: true }) startDate?: string | null;
  @Field(() => DateScalar, { nullable: true }) dueDate?: string | null;
}

@InputType()
export class UpdateProjectInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) color?: string | null;
  @Field(() => ProjectStatus, { nullable: true }) status?: ProjectStatus | null;
  @Field(() => ID, { nullable: true, description: 'null: no area' }) areaId?: string | null;
  @Field(() => DateScalar, { nullable: true }) startDate?: string | null;
  @Field(() => DateScalar, { nullable: true }) dueDate?: string | null;
  @Field(() => Int, { nullable: true, description: "New place among the owner's projects; the others shift" })
  position?: number | null;
}
