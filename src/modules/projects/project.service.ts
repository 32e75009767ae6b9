import { type SQL, and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { areas, projects, users } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { DenseOrder } from '../../shared/dense-order.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { validIds } from '../../shared/ids.js';
import { checkColor } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { deleteProjectTasks } from './project-tasks.js';
import { type CreateProjectInput, type ProjectRow, ProjectStatus, type UpdateProjectInput } from './project.type.js';

export const NAME_MAX = 120;
const DESCRIPTION_MAX = 5_000;
export const MAX_PROJECTS = 500;

const order = new DenseOrder(projects, projects.position);
const ofOwner = (ownerId: string): SQL => eq(projects.ownerId, ownerId);

export function checkName(p: FieldProblems, name: string | null | undefined, given: boolean) {
  if (!given) return;
  const n = name?.trim() ?? '';
  p.check(n.length >= 1 && n.length <= NAME_MAX, 'name', `Name must be 1-${NAME_MAX} characters`);
}

/** The viewer's own project; NOT_FOUND for anyone else's, a malformed id or none. */
export async function ownProject(q: Queryable, viewer: Viewer, id: string, lock = false): Promise<ProjectRow> {
  const [projectId] = validIds([id]);
  if (!projectId) throw new NotFoundError('Project');
  const query = q
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), ofOwner(viewer.userId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('Project');
  return row;
}

/** Personal projects: only the owner sees or changes one; tasks join from lists the owner edits. */
export class ProjectService {
  constructor(private readonly app: App) {}

  list(
    viewer: Viewer,
    status: ProjectStatus[] | null | undefined,
    areaId: string | null | undefined,
    includeArchived: boolean | null | undefined,
  ): Promise<ProjectRow[]> {
    const where: Array<SQL | undefined> = [ofOwner(viewer.userId)];
    if (status?.length) where.push(inArray(projects.status, status));
    if (areaId) {
      const [id] = validIds([areaId]);
      where.push(id ? eq(projects.areaId, id) : sql`false`);
    }
    if (!includeArchived) where.push(isNull(projects.archivedAt));
    return this.app.db
      .select()
      .from(projects)
      .where(and(...where))
      .orderBy(asc(projects.position), asc(projects.id));
  }

  get(viewer: Viewer, id: string): Promise<ProjectRow> {
    return ownProject(this.app.db, viewer, id);
  }

  async create(viewer: Viewer, input: CreateProjectInput): Promise<ProjectRow> {
    this.check(input, true);
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const position = await order.next(tx, ofOwner(viewer.userId));
      if (position >= MAX_PROJECTS) throw new InputError({ name: `At most ${MAX_PROJECTS} projects` });
      const status = input.status ?? ProjectStatus.ACTIVE;
      const [row] = await tx
        .insert(projects)
        .values({
          ownerId: viewer.userId,
          name: input.name.trim(),
          description: input.description ?? null,
          color: input.color ?? null,
          status,
          areaId: input.areaId ? await this.ownArea(tx, viewer, input.areaId) : null,
          startDate: input.startDate ?? null,
          dueDate: input.dueDate ?? null,
          position,
          completedAt: status === ProjectStatus.COMPLETED ? new Date() : null,
        })
        .returning();
      await this.record(tx, viewer, row!, 'created', `Created the project "${row!.name}"`);
      return row!;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateProjectInput): Promise<ProjectRow> {
    this.check(input, input.name !== undefined);
    if (input.status === null) throw new InputError({ status: 'Status cannot be null' });
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const before = await ownProject(tx, viewer, id, true);
      const changes: Partial<typeof projects.$inferInsert> = { updatedAt: new Date() };
      if (input.name) changes.name = input.name.trim();
      if (input.description !== undefined) changes.description = input.description;
      if (input.color !== undefined) changes.color = input.color;
      if (input.areaId !== undefined)
        changes.areaId = input.areaId ? await this.ownArea(tx, viewer, input.areaId) : null;
      if (input.startDate !== undefined) changes.startDate = input.startDate;
      if (input.dueDate !== undefined) changes.dueDate = input.dueDate;
      const start = changes.startDate !== undefined ? changes.startDate : before.startDate;
      const due = changes.dueDate !== undefined ? changes.dueDate : before.dueDate;
      if (start && due && due < start)
        throw new InputError({ dueDate: 'The due date cannot be before the start date' });
      if (input.status && input.status !== (before.status as ProjectStatus)) {
        changes.status = input.status;
        changes.completedAt = input.status === ProjectStatus.COMPLETED ? new Date() : null;
      }
      if (input.position != null)
        changes.position = await order.move(tx, ofOwner(viewer.userId), before.position, input.position);
      const [row] = await tx.update(projects).set(changes).where(eq(projects.id, before.id)).returning();
      await this.record(tx, viewer, row!, 'updated', `Updated the project "${row!.name}"`);
      return row!;
    });
  }

  /** Archived projects leave the default list and take no new tasks; their tasks stay. */
  async setArchived(viewer: Viewer, id: string, archived: boolean): Promise<ProjectRow> {
    return this.app.db.transaction(async (tx) => {
      const before = await ownProject(tx, viewer, id, true);
      if (Boolean(before.archivedAt) === archived) return before;
      const [row] = await tx
        .update(projects)
        .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
        .where(eq(projects.id, before.id))
        .returning();
      const verb = archived ? 'archived' : 'updated';
      await this.record(tx, viewer, row!, verb, `${archived ? 'Archived' : 'Unarchived'} the project "${row!.name}"`);
      return row!;
    });
  }

  /** deleteTasks: the tasks the viewer may delete go; the rest stay without project. */
  async delete(viewer: Viewer, id: string, deleteTasks: boolean): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      await this.lockOwner(tx, viewer);
      const project = await ownProject(tx, viewer, id, true);
      const removed = deleteTasks ? await deleteProjectTasks(tx, viewer, project.id) : 0;
      await tx.delete(projects).where(eq(projects.id, project.id));
      await order.close(tx, ofOwner(viewer.userId), project.position);
      const also = removed ? ` and ${removed} of its tasks` : '';
      await this.record(tx, viewer, project, 'deleted', `Deleted the project "${project.name}"${also}`);
      return project.id;
    });
  }

  private check(input: CreateProjectInput | UpdateProjectInput, nameGiven: boolean) {
    const p = new FieldProblems();
    checkName(p, input.name, nameGiven);
    checkColor(p, input.color);
    p.check(
      (input.description ?? '').length <= DESCRIPTION_MAX,
      'description',
      `At most ${DESCRIPTION_MAX} characters`,
    );
    if (input.startDate && input.dueDate)
      p.check(input.dueDate >= input.startDate, 'dueDate', 'The due date cannot be before the start date');
    if ('position' in input && input.position != null)
      p.check(input.position >= 0, 'position', 'Position must be 0 or more');
    p.throwIfAny();
  }

  /** The owner's row serialises changes to the order of their projects. */
  private async lockOwner(tx: Tx, viewer: Viewer) {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
  }

  private async ownArea(tx: Tx, viewer: Viewer, id: string): Promise<string> {
    const [areaId] = validIds([id]);
    const [row] = areaId
      ? await tx
          .select({ id: areas.id })
          .from(areas)
          .where(and(eq(areas.id, areaId), eq(areas.ownerId, viewer.userId)))
      : [];
    if (!row) throw new NotFoundError('Area');
    return row.id;
  }

  private record(tx: Tx, viewer: Viewer, project: ProjectRow, verb: string, summary: string) {
    return recordActivity(tx, {
      actorId: viewer.userId,
      verb: `project.${verb}`,
      entityType: 'project',
      entityId: project.id,
      summary,
    });
  }
}
