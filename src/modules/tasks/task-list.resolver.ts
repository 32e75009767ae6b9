import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { pageRequest } from '../../shared/pagination.js';
import { User } from '../users/index.js';
import type { ListWithRole } from './list-access.js';
import { CreateTaskListInput, TaskFilter, TaskOrder, UpdateTaskListInput } from './task.inputs.js';
import { preloadMemberUsers, preloadTaskFields } from './task.preload.js';
import { TaskConnection } from './task.type.js';
import { ListMember, ListRole, type MemberRow, TaskList } from './task-list.type.js';

@Resolver(() => TaskList)
export class TaskListResolver {
  // ---------------------------------------------------------------- queries
  @Authorized()
  @Query(() => [TaskList], { description: "The viewer's own lists (in their order), then the lists shared with them" })
  taskLists(@Ctx() ctx: Context) {
    return ctx.services.taskLists.listsOf(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => TaskList)
  taskList(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.taskLists.get(viewerOf(ctx), id);
  }

  // ---------------------------------------------------------------- mutations
  @Authorized()
  @Mutation(() => TaskList)
  createTaskList(@Arg('input', () => CreateTaskListInput) input: CreateTaskListInput, @Ctx() ctx: Context) {
    return ctx.services.taskLists.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => TaskList, { description: 'Owner only' })
  updateTaskList(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTaskListInput) input: UpdateTaskListInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.taskLists.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Owner only; deletes the tasks too' })
  deleteTaskList(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.taskLists.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => TaskList, {
    description:
      'Owner only. An existing member gets the new role; an address without an account joins when it registers',
  })
  shareTaskList(
    @Arg('id', () => ID) id: string,
    @Arg('email', () => String) email: string,
    @Arg('role', () => ListRole) role: ListRole,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.taskLists.share(viewerOf(ctx), id, email, role);
  }

  @Authorized()
  @Mutation(() => TaskList, { description: 'The owner removes a member; a member may remove themselves (leave)' })
  removeTaskListMember(@Arg('id', () => ID) id: string, @Arg('userId', () => ID) userId: string, @Ctx() ctx: Context) {
    return ctx.services.taskLists.removeMember(viewerOf(ctx), id, userId);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => User)
  owner(@Root() list: ListWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(list.ownerId);
  }

  @FieldResolver(() => [ListMember])
  async members(@Root() list: ListWithRole, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return preloadMemberUsers(ctx, await ctx.loaders.membersByList.load(list.id), info);
  }

  @FieldResolver(() => TaskConnection)
  async tasks(
    @Root() list: ListWithRole,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TaskFilter, { nullable: true }) filter: TaskFilter | null,
    @Arg('orderBy', () => TaskOrder, { nullable: true }) orderBy: TaskOrder | null,
    @Info() info: GraphQLResolveInfo,
  ) {
    return preloadTaskFields(
      ctx,
      await ctx.loaders.tasksOfList(filter, orderBy, pageRequest(first, after)).load(list.id),
      info,
    );
  }

  @FieldResolver(() => Int, { description: 'Tasks that are TODO or IN_PROGRESS' })
  openTaskCount(@Root() list: ListWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.openTaskCountByList.load(list.id);
  }
}

@Resolver(() => ListMember)
export class ListMemberResolver {
  @FieldResolver(() => User)
  user(@Root() member: MemberRow, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(member.userId);
  }
}
