import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { User } from '../users/index.js';
import { CreateTaskInput, TaskFilter, TaskOrder, UpdateTaskInput } from './task.inputs.js';
import { TaskList } from './task-list.type.js';
import { preloadTaskFields } from './task.preload.js';
import { Label, Task, TaskConnection, type TaskRow } from './task.type.js';

@Resolver(() => Task)
export class TaskResolver {
  // ---------------------------------------------------------------- queries
  @Authorized()
  @Query(() => Task)
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.tasks.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Query(() => TaskConnection, { description: 'Tasks across every list the viewer can see' })
  async tasks(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TaskFilter, { nullable: true }) filter: TaskFilter | null,
    @Arg('orderBy', () => TaskOrder, { nullable: true }) orderBy: TaskOrder | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return preloadTaskFields(ctx, await ctx.services.tasks.search(viewerOf(ctx), first, after, filter, orderBy), info);
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => Task, { description: 'Editors and the owner; the task goes to the end of the list' })
  createTask(@Arg('input', () => CreateTaskInput) input: CreateTaskInput, @Ctx() ctx: Context) {
    return ctx.services.tasks.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Task)
  updateTask(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tasks.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Task, { description: 'Within its list, or into another list the viewer edits; positions stay dense' })
  moveTask(
    @Arg('id', () => ID) id: string,
    @Arg('listId', () => ID, { nullable: true }) listId: string | null,
    @Arg('position', () => Int) position: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tasks.move(viewerOf(ctx), id, listId, position);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteTask(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.tasks.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Task, { description: "Replaces the viewer's own labels on the task; other members' labels stay" })
  setTaskLabels(
    @Arg('taskId', () => ID) taskId: string,
    @Arg('labelIds', () => [ID], { description: 'At most 100' }) labelIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tasks.setLabels(viewerOf(ctx), taskId, labelIds);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => TaskList)
  list(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return ctx.loaders.listById.value(task.listId);
  }

  @FieldResolver(() => User, { nullable: true })
  assignee(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return task.assigneeId ? ctx.loaders.userById.value(task.assigneeId) : null;
  }

  @FieldResolver(() => User)
  createdBy(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(task.createdById);
  }

  @FieldResolver(() => [Label])
  labels(@Root() task: TaskRow, @Ctx() ctx: Context) {
    return ctx.loaders.labelsByTask.value(task.id);
  }
}
