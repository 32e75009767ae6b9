import DataLoader from 'dataloader';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { listMembers, taskLists, tasks } from '../../db/schema/index.js';
import { LABELS } from './labels.js';
import { KnownLoader } from '../../shared/known-loader.js';
import type { Connection, PageRequest } from '../../shared/pagination.js';
import type { ListWithRole } from './list-access.js';
import type { TaskFilter, TaskOrder } from './task.inputs.js';
import { emptyTaskPage, pageTasks } from './task.pages.js';
import type { MemberRow } from './task-list.type.js';
import type { TaskRow } from './task.type.js';
import { groupByKey } from '../../shared/group-by-key.js';

/** Per-request loaders of the tasks module; every one is scoped to the viewer's lists. */
export function createTaskLoaders(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? '00000000-0000-0000-0000-000000000000';
  const pages = new Map<string, DataLoader<string, Connection<TaskRow>>>();
  return {
    /** The list with the viewer's role, or null when the viewer is not a member. */
    listById: new KnownLoader<string, ListWithRole | null>(async (ids) => {
      const rows = await db
        .select({ list: taskLists, role: listMembers.role })
        .from(taskLists)
        .innerJoin(listMembers, and(eq(listMembers.listId, taskLists.id), eq(listMembers.userId, viewer)))
        .where(anyId(taskLists.id, ids));
      const byId = new Map(rows.map((r) => [r.list.id, { ...r.list, myRole: r.role } as ListWithRole]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** The task, or null when it is not in one of the viewer's lists. */
    taskById: new DataLoader<string, TaskRow | null>(async (ids) => {
      const rows = await db
        .select({ task: tasks })
        .from(tasks)
        .innerJoin(listMembers, and(eq(listMembers.listId, tasks.listId), eq(listMembers.userId, viewer)))
        .where(anyId(tasks.id, ids));
      const byId = new Map(rows.map((r) => [r.task.id, r.task]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    membersByList: new DataLoader<string, MemberRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(listMembers)
        .where(anyId(listMembers.listId, ids))
        .orderBy(asc(listMembers.addedAt), asc(listMembers.userId));
      return groupByKey(ids, rows, (r) => r.listId);
    }),
    openTaskCountByList: new DataLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ listId: tasks.listId, n: sql<number>`count(*)::int` })
        .from(tasks)
        .where(and(anyId(tasks.listId, ids), inArray(tasks.status, ['TODO', 'IN_PROGRESS'])))
        .groupBy(tasks.listId);
      const byId = new Map(rows.map((r) => [r.listId, Number(r.n)]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
    labelsByTask: LABELS.byItemLoader(db),
    /** The tasks page of many lists with the same arguments, in one statement. */
    tasksOfList: (filter: TaskFilter | null | undefined, order: TaskOrder | null | undefined, page: PageRequest) => {
      const key = JSON.stringify([filter, order, page]);
      let loader = pages.get(key);
      if (!loader) {
        loader = new DataLoader<string, Connection<TaskRow>>(async (listIds) => {
          const scope = anyId(tasks.listId, listIds);
          const byList = await pageTasks(db, scope, filter, order, page, tasks.listId);
          return listIds.map((id) => byList.get(id) ?? emptyTaskPage(db, eq(tasks.listId, id), filter, page, order));
        });
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

export type TaskLoaders = ReturnType<typeof createTaskLoaders>;
