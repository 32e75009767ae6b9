import DataLoader from 'dataloader';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { areas, projectSections, projects, tasks } from '../../db/schema/index.js';
import { validIds } from '../../shared/ids.js';
import { KnownLoader } from '../../shared/known-loader.js';
import type { Connection, PageRequest } from '../../shared/pagination.js';
import {
  type TaskFilter,
  type TaskOrder,
  type TaskRow,
  emptyTaskPage,
  pageTasks,
  visibleListIds,
} from '../tasks/index.js';
import type { AreaRow, ProjectProgress, ProjectRow, SectionRow } from './project.type.js';
import { groupByKey } from '../../shared/group-by-key.js';

/**
 * Per-request loaders of projects, areas and sections: every one sees the viewer's own only (a
 * project is personal), so another member of a shared list reads a task's project as null.
 */
export function createProjectLoaders(db: Db, viewerId: string | null) {
  const viewer = viewerId ?? '00000000-0000-0000-0000-000000000000';
  const pages = new Map<string, DataLoader<string, Connection<TaskRow>>>();
  const visible = sql`${tasks.listId} in ${visibleListIds(viewer)}`;
  return {
    projectById: new KnownLoader<string, ProjectRow | null>(async (ids) => {
      const rows = await db
        .select()
        .from(projects)
        .where(and(anyId(projects.id, ids), eq(projects.ownerId, viewer)));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    sectionById: new KnownLoader<string, SectionRow | null>(async (ids) => {
      const rows = await db
        .select({ section: projectSections })
        .from(projectSections)
        .innerJoin(projects, eq(projects.id, projectSections.projectId))
        .where(and(anyId(projectSections.id, ids), eq(projects.ownerId, viewer)));
      const byId = new Map(rows.map((r) => [r.section.id, r.section]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    sectionsByProject: new DataLoader<string, SectionRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(projectSections)
        .where(anyId(projectSections.projectId, ids))
        .orderBy(asc(projectSections.position), asc(projectSections.id));
      return groupByKey(ids, rows, (r) => r.projectId);
    }),
    areaById: new KnownLoader<string, AreaRow | null>(async (ids) => {
      const rows = await db
        .select()
        .from(areas)
        .where(and(anyId(areas.id, ids), eq(areas.ownerId, viewer)));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** An area's projects, archived ones left out, by position. */
    projectsByArea: new DataLoader<string, ProjectRow[]>(async (ids) => {
      const rows = await db
        .select()
        .from(projects)
        .where(and(anyId(projects.areaId, ids), eq(projects.ownerId, viewer), isNull(projects.archivedAt)))
        .orderBy(asc(projects.position), asc(projects.id));
      return groupByKey(ids, rows, (r) => r.areaId);
    }),
    /** Counts over the tasks the viewer can see (lists they are a member of). */
    progressByProject: new DataLoader<string, ProjectProgress>(async (ids) => {
      const rows = await db
        .select({
          projectId: tasks.projectId,
          total: sql<number>`count(*) filter (where ${tasks.status} <> 'CANCELLED')::int`,
          done: sql<number>`count(*) filter (where ${tasks.status} = 'DONE')::int`,
        })
        .from(tasks)
        .where(and(anyId(tasks.projectId, ids), visible))
        .groupBy(tasks.projectId);
      const byId = new Map(rows.map((r) => [r.projectId, r]));
      return ids.map((id) => {
        const total = Number(byId.get(id)?.total ?? 0);
        const done = Number(byId.get(id)?.done ?? 0);
        return { total, done, percent: total ? Math.floor((100 * done) / total) : 0 };
      });
    }),
    /** The tasks page of many projects with the same arguments, in one statement. */
    tasksOfProject: (
      filter: TaskFilter | null | undefined,
      order: TaskOrder | null | undefined,
      page: PageRequest,
      sectionId: string | null,
    ) => {
      const key = JSON.stringify([filter, order, page, sectionId]);
      let loader = pages.get(key);
      if (!loader) {
        const [section] = sectionId ? validIds([sectionId]) : [];
        const inSection = sectionId ? (section ? eq(tasks.sectionId, section) : sql`false`) : undefined;
        loader = new DataLoader<string, Connection<TaskRow>>(async (projectIds) => {
          const scope = and(anyId(tasks.projectId, projectIds), visible, inSection)!;
          const byProject = await pageTasks(db, scope, filter, order, page, tasks.projectId);
          return projectIds.map(
            (id) =>
              byProject.get(id) ??
              emptyTaskPage(db, and(eq(tasks.projectId, id), visible, inSection)!, filter, page, order),
          );
        });
        pages.set(key, loader);
      }
      return loader;
    },
  };
}

export type ProjectLoaders = ReturnType<typeof createProjectLoaders>;
