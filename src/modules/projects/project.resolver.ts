import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { pageRequest } from '../../shared/pagination.js';
import { Task, TaskConnection, TaskFilter, TaskOrder, type TaskRow, preloadTaskFields } from '../tasks/index.js';
import { Dashboard } from '../dashboard/index.js';
import { User } from '../users/index.js';
import type { Context } from './context.js';
import {
  Area,
  type AreaRow,
  CreateProjectInput,
  Project,
  ProjectProgress,
  type ProjectRow,
  ProjectSection,
  ProjectStatus,
  UpdateProjectInput,
} from './project.type.js';

@Resolver(() => Project)
export class ProjectResolver {
  @Authorized()
  @Query(() => [Project], { description: 'By position; archived ones only with includeArchived' })
  projects(
    @Ctx() ctx: Context,
    @Arg('status', () => [ProjectStatus], { nullable: true }) status: ProjectStatus[] | null,
    @Arg('areaId', () => ID, { nullable: true }) areaId: string | null,
    @Arg('includeArchived', () => Boolean, { nullable: true }) includeArchived: boolean | null,
  ) {
    return ctx.services.projects.list(viewerOf(ctx), status, areaId, includeArchived);
  }

  @Authorized()
  @Query(() => Project)
  project(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projects.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Project)
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: Context) {
    return ctx.services.projects.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Project)
  updateProject(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProjectInput) input: UpdateProjectInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projects.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Project)
  archiveProject(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projects.setArchived(viewerOf(ctx), id, true);
  }

  @Authorized()
  @Mutation(() => Project)
  unarchiveProject(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projects.setArchived(viewerOf(ctx), id, false);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'deleteTasks false (default): the tasks stay, without project' })
  deleteProject(
    @Arg('id', () => ID) id: string,
    @Arg('deleteTasks', () => Boolean, { nullable: true }) deleteTasks: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projects.delete(viewerOf(ctx), id, deleteTasks === true);
  }

  @FieldResolver(() => Area, { nullable: true })
  area(@Root() project: ProjectRow, @Ctx() ctx: Context) {
    return project.areaId ? ctx.loaders.areaById.value(project.areaId) : null;
  }

  @FieldResolver(() => User)
  owner(@Root() project: ProjectRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(project.ownerId);
  }

  @FieldResolver(() => [ProjectSection])
  sections(@Root() project: ProjectRow, @Ctx() ctx: Context) {
    return ctx.loaders.sectionsByProject.load(project.id);
  }

  @FieldResolver(() => ProjectProgress)
  progress(@Root() project: ProjectRow, @Ctx() ctx: Context) {
    return ctx.loaders.progressByProject.load(project.id);
  }

  @FieldResolver(() => TaskConnection, { description: 'Its tasks in lists the viewer can see' })
  async tasks(
    @Root() project: ProjectRow,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TaskFilter, { nullable: true }) filter: TaskFilter | null,
    @Arg('orderBy', () => TaskOrder, { nullable: true }) orderBy: TaskOrder | null,
    @Arg('sectionId', () => ID, { nullable: true }) sectionId: string | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    const loader = ctx.loaders.tasksOfProject(filter, orderBy, pageRequest(first, after), sectionId);
    return preloadTaskFields(ctx as never, await loader.load(project.id), info);
  }
}

@Resolver(() => Area)
export class AreaResolver {
  @Authorized()
  @Query(() => [Area])
  areas(@Ctx() ctx: Context) {
    return ctx.services.projectStructure.areas(viewerOf(ctx));
  }

  @Authorized()
  @Mutation(() => Area)
  createArea(
    @Arg('name', () => String) name: string,
    @Arg('color', () => String, { nullable: true }) color: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projectStructure.createArea(viewerOf(ctx), name, color);
  }

  @Authorized()
  @Mutation(() => Area)
  updateArea(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null | undefined,
    @Arg('color', () => String, { nullable: true }) color: string | null | undefined,
    @Arg('position', () => Int, { nullable: true }) position: number | null | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projectStructure.updateArea(viewerOf(ctx), id, { name, color, position });
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Its projects stay, without area' })
  deleteArea(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projectStructure.deleteArea(viewerOf(ctx), id);
  }

  @FieldResolver(() => [Project])
  projects(@Root() area: AreaRow, @Ctx() ctx: Context) {
    return ctx.loaders.projectsByArea.load(area.id);
  }
}

@Resolver(() => ProjectSection)
export class ProjectSectionResolver {
  @Authorized()
  @Mutation(() => ProjectSection)
  createProjectSection(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('name', () => String) name: string,
    @Arg('position', () => Int, { nullable: true }) position: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projectStructure.createSection(viewerOf(ctx), projectId, name, position);
  }

  @Authorized()
  @Mutation(() => ProjectSection)
  updateProjectSection(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null | undefined,
    @Arg('position', () => Int, { nullable: true }) position: number | null | undefined,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.projectStructure.updateSection(viewerOf(ctx), id, name, position);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Its tasks stay in the project, without section' })
  deleteProjectSection(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.projectStructure.deleteSection(viewerOf(ctx), id);
  }
}

/** A task's place in the viewer's projects: null in a project someone else owns. */
@Resolver(() => Task)
export class TaskProjectFields {
  @FieldResolver(() => Project, {
    nullable: true,
    description: 'Null when in no project, or in one the viewer does not own',
  })
  project(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return task.projectId ? ctx.loaders.projectById.value(task.projectId) : null;
  }

  @FieldResolver(() => ProjectSection, { nullable: true })
  section(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return task.sectionId ? ctx.loaders.sectionById.value(task.sectionId) : null;
  }
}

/** The dashboard's projects: ACTIVE, not archived, by position. */
@Resolver(() => Dashboard)
export class DashboardProjectFields {
  @FieldResolver(() => [Project], { description: 'ACTIVE projects, not archived, by position' })
  activeProjects(@Ctx() ctx: Context) {
    return ctx.services.projects.list(viewerOf(ctx), [ProjectStatus.ACTIVE], null, false);
  }
}
