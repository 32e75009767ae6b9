import { Arg, Ctx, Field, FieldResolver, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from './context.js';
import { checkAccess } from '../../shared/access.js';
import { whileUnavailable } from '../../shared/retry.js';
import { User } from '../users/index.js';
import { requireList } from './list-access.js';
import { ListRole } from './task-list.type.js';
import { Task, TaskChangeKind, type TaskRow } from './task.type.js';

@ObjectType()
export class TaskListChange {
  @Field(() => TaskChangeKind) kind!: TaskChangeKind;
  @Field(() => ID) taskId!: string;
  @Field(() => Task, { nullable: true, description: 'Null when kind is DELETED' }) task!: TaskRow | null;
}

interface ChangePayload {
  kind: TaskChangeKind;
  taskId: string;
  task: TaskRow | null;
  actorId: string;
}

/**
 * Changes to the tasks of one list. Subscribing checks membership (NOT_FOUND otherwise); every event
 * checks it again and reads the task with fresh loaders, so a removed member stops receiving. An
 * event read while the database is out of reach waits for it (whileUnavailable), in order.
 */
async function taskListStream(ctx: Context, listId: string): Promise<AsyncIterable<ChangePayload>> {
  const viewer = checkAccess(ctx, [], 'subscription');
  const list = await requireList(ctx.app.db, viewer.userId, listId, ListRole.VIEWER);
  const live = ctx.app.bus.iterate(`task:${list.id}`);
  async function* stream(): AsyncGenerator<ChangePayload> {
    try {
      for await (const event of live) {
        if (event.topic !== 'task') continue;
        // Fresh loaders for each event, and for each try while the database is out of reach.
        const read = await whileUnavailable(async () => {
          ctx.renewLoaders();
          if (!(await ctx.loaders.listById.load(list.id))) return null;
          return { task: event.kind === 'DELETED' ? null : await ctx.loaders.taskById.load(event.taskId) };
        });
        if (!read) return;
        const { task } = read;
        const kind = task || event.kind === 'DELETED' ? (event.kind as TaskChangeKind) : TaskChangeKind.DELETED;
        yield {
          kind,
          taskId: event.taskId,
          task: task && task.listId === list.id ? task : null,
          actorId: event.actorId,
        };
      }
    } finally {
      await live.return?.();
    }
  }
  return stream();
}

@Resolver(() => TaskListChange)
export class TaskEventsResolver {
  // Access is checked when the subscription starts; every event re-checks membership.
  @Subscription(() => TaskListChange, {
    description: 'Changes to the tasks of a list the viewer can see',
    subscribe: ({ args, context }) => taskListStream(context as Context, (args as { listId: string }).listId),
  })
  taskListChanged(@Root() change: ChangePayload, @Arg('listId', () => ID) _listId: string): ChangePayload {
    return change;
  }

  @FieldResolver(() => User)
  actor(@Root() change: ChangePayload, @Ctx() ctx: Context) {
    return ctx.loaders.userById.load(change.actorId);
  }
}
