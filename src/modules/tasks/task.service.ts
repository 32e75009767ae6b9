import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable, Tx } from '../../db/client.js';
import { listMembers, tasks } from '../../db/schema/index.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId, validIds } from '../../shared/ids.js';
import { pageRequest } from '../../shared/pagination.js';
import { LABELS } from './labels.js';
import { recordActivity } from '../activity/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { type ListWithRole, requireList } from './list-access.js';
import type { CreateTaskInput, TaskFilter, TaskOrder, UpdateTaskInput } from './task.inputs.js';
import { emptyTaskPage, pageTasks, visibleListIds } from './task.pages.js';
import { ListRole } from './task-list.type.js';
import { announceTask, notifyAssignee } from './task-effects.js';
import { dueOf, placeTask } from './task-placement.js';
import { TaskChangeKind, TaskStatus, type TaskRow } from './task.type.js';

const TITLE_MAX = 500;
const NOTES_MAX = 20_000;

/** Tasks inside lists: the viewer must be an EDITOR (or OWNER) of the list to change them. */
export class TaskService {
  constructor(private readonly app: App) {}

  /** Tasks in every list the viewer can see, or in one of them (`listId`). */
  async search(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
    filter?: TaskFilter | null,
    order?: TaskOrder | null,
    listId?: string,
  ) {
    const page = pageRequest(first, after);
    const visible = sql`${tasks.listId} in ${visibleListIds(viewer.userId)}`;
    const scope = listId ? sql`${visible} and ${tasks.listId} = ${parseId(listId, 'TaskList')}` : visible;
    const pages = await pageTasks(this.app.db, scope, filter, order, page, null);
    return pages.get(null) ?? emptyTaskPage(this.app.db, scope, filter, page, order);
  }

  /** Inside a transaction pass it as `q`: PGlite has one connection, and a query beside it would wait. */
  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<TaskRow> {
    const taskId = parseId(id, 'Task');
    const [row] = await q
      .select({ task: tasks })
      .from(tasks)
      .innerJoin(listMembers, and(eq(listMembers.listId, tasks.listId), eq(listMembers.userId, viewer.userId)))
      .where(eq(tasks.id, taskId));
    if (!row) throw new NotFoundError('Task');
    return row.task;
  }

  /**
   * `foreignText`: the title and notes come from outside (an email), so the assistant never treats
   * them as the viewer's own words.
   */
  async create(viewer: Viewer, input: CreateTaskInput, opts: { foreignText?: boolean } = {}): Promise<TaskRow> {
    const title = input.title.trim();
    const p = new FieldProblems();
    p.check(title.length >= 1 && title.length <= TITLE_MAX, 'title', `Title must be 1-${TITLE_MAX} characters`);
    p.check((input.notes ?? '').length <= NOTES_MAX, 'notes', `Notes must be at most ${NOTES_MAX} characters`);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const list = await requireList(tx, viewer.userId, input.listId, ListRole.EDITOR, true);
      const assigneeId = input.assigneeId ? await this.member(tx, list.id, input.assigneeId) : null;
      const labelIds = input.labelIds?.length ? await this.ownLabels(tx, viewer, input.labelIds) : [];
      const placed = await placeTask(tx, viewer, input);
      const due = dueOf(viewer, input, null);
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(tasks)
        .where(eq(tasks.listId, list.id));
      const status = input.status ?? TaskStatus.TODO;
      const [task] = await tx
        .insert(tasks)
        .values({
          listId: list.id,
          title,
          notes: input.notes ?? null,
          status,
          priority: input.priority ?? 'MEDIUM',
          dueAt: due?.dueAt ?? null,
          dueAllDay: due?.dueAllDay ?? false,
          ...placed,
          completedAt: status === TaskStatus.DONE ? sql`now()` : null,
          position: Number(n),
          assigneeId,
          createdById: viewer.userId,
          textAuthorId: opts.foreignText ? null : viewer.userId,
        })
        .returning();
      await LABELS.attach(tx, task!.id, labelIds);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'task.created',
        entityType: 'task',
        entityId: task!.id,
        listId: list.id,
        summary: `Added "${title}" to "${list.name}"`,
      });
      await notifyAssignee(tx, viewer, task!, list, null);
      await announceTask(tx, viewer, task!.listId, task!.id, TaskChangeKind.CREATED);
      return task!;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateTaskInput): Promise<TaskRow> {
    const p = new FieldProblems();
    const title = input.title?.trim();
    if (input.title !== undefined)
      p.check(
        title !== undefined && title.length >= 1 && title.length <= TITLE_MAX,
        'title',
        `Title must be 1-${TITLE_MAX} characters`,
      );
    p.check((input.notes ?? '').length <= NOTES_MAX, 'notes', `Notes must be at most ${NOTES_MAX} characters`);
    if (input.status === null) p.add('status', 'Status cannot be null');
    if (input.priority === null) p.add('priority', 'Priority cannot be null');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      const { task: before, list } = await this.locked(tx, viewer, id);
      const changes: Partial<typeof tasks.$inferInsert> = { updatedAt: new Date() };
      if (title) changes.title = title;
      if (input.notes !== undefined) changes.notes = input.notes;
      // Whoever last wrote the text is its author: a collaborator's edit makes it theirs.
      if (title || input.notes !== undefined) changes.textAuthorId = viewer.userId;
      if (input.priority) changes.priority = input.priority;
      Object.assign(changes, dueOf(viewer, input, before), await placeTask(tx, viewer, input, before));
      if (input.assigneeId !== undefined)
        changes.assigneeId = input.assigneeId ? await this.member(tx, list.id, input.assigneeId) : null;
      if (input.status && input.status !== (before.status as TaskStatus)) {
        changes.status = input.status;
        changes.completedAt = input.status === TaskStatus.DONE ? new Date() : null;
      }
      const [task] = await tx.update(tasks).set(changes).where(eq(tasks.id, before.id)).returning();
      const completed = changes.status === TaskStatus.DONE;
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: completed ? 'task.completed' : 'task.updated',
        entityType: 'task',
        entityId: task!.id,
        listId: list.id,
        summary: completed ? `Completed "${task!.title}"` : `Updated "${task!.title}"`,
      });
      await notifyAssignee(tx, viewer, task!, list, before.assigneeId);
      await announceTask(tx, viewer, task!.listId, task!.id, TaskChangeKind.UPDATED);
      return task!;
    });
  }

  /**
   * Moves a task to `position` in its list or in another list the viewer edits. Both lists are
   * locked (in id order, so two moves cannot deadlock) and renumbered densely.
   */
  async move(viewer: Viewer, id: string, targetListId: string | null | undefined, position: number): Promise<TaskRow> {
    if (!Number.isInteger(position) || position < 0) throw new InputError({ position: 'Position must be 0 or more' });
    return this.app.db.transaction(async (tx) => {
      const visible = await this.get(viewer, id, tx);
      const targetId = targetListId ? parseId(targetListId, 'Task list') : visible.listId;
      const ids = [...new Set([visible.listId, targetId])].sort();
      const lists = new Map<string, ListWithRole>();
      for (const listId of ids) lists.set(listId, await requireList(tx, viewer.userId, listId, ListRole.EDITOR, true));
      const [task] = await tx.select().from(tasks).where(eq(tasks.id, visible.id));
      if (!task) throw new NotFoundError('Task');
      const source =
        lists.get(task.listId) ?? (await requireList(tx, viewer.userId, task.listId, ListRole.EDITOR, true));
      const target = lists.get(targetId)!;
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(tasks)
        .where(eq(tasks.listId, target.id));
      const same = source.id === target.id;
      const to = Math.min(position, Number(n) - (same ? 1 : 0));
      const from = task.position;
      if (same) {
        if (to < from) await this.shift(tx, target.id, +1, to, from - 1);
        else if (to > from) await this.shift(tx, target.id, -1, from + 1, to);
      } else {
        await this.shift(tx, source.id, -1, from + 1, null);
        await this.shift(tx, target.id, +1, to, null);
      }
      const assigneeId =
        same || !task.assigneeId
          ? task.assigneeId
          : await this.member(tx, target.id, task.assigneeId).catch(() => null);
      const [moved] = await tx
        .update(tasks)
        .set({ listId: target.id, position: to, assigneeId, updatedAt: new Date() })
        .where(eq(tasks.id, task.id))
        .returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'task.moved',
        entityType: 'task',
        entityId: task.id,
        listId: target.id,
        summary: same
          ? `Moved "${task.title}" to position ${to + 1}`
          : `Moved "${task.title}" from "${source.name}" to "${target.name}"`,
      });
      if (same) await announceTask(tx, viewer, target.id, task.id, TaskChangeKind.UPDATED);
      else {
        await announceTask(tx, viewer, source.id, task.id, TaskChangeKind.DELETED);
        await announceTask(tx, viewer, target.id, task.id, TaskChangeKind.CREATED);
      }
      return moved!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const { task, list } = await this.locked(tx, viewer, id);
      await tx.delete(tasks).where(eq(tasks.id, task.id));
      await this.shift(tx, list.id, -1, task.position + 1, null);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'task.deleted',
        entityType: 'task',
        entityId: task.id,
        listId: list.id,
        summary: `Deleted "${task.title}" from "${list.name}"`,
      });
      await announceTask(tx, viewer, list.id, task.id, TaskChangeKind.DELETED);
      return task.id;
    });
  }

  /** Replaces the viewer's own labels on the task; labels other members attached stay. */
  async setLabels(viewer: Viewer, id: string, labelIds: string[]): Promise<TaskRow> {
    return this.app.db.transaction(async (tx) => {
      const { task, list } = await this.locked(tx, viewer, id);
      const wanted = await this.ownLabels(tx, viewer, labelIds);
      await LABELS.replace(tx, task.id, viewer.userId, wanted);
      const [updated] = await tx.update(tasks).set({ updatedAt: new Date() }).where(eq(tasks.id, task.id)).returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'task.labeled',
        entityType: 'task',
        entityId: task.id,
        listId: list.id,
        summary: `Set ${wanted.length} label(s) on "${task.title}"`,
      });
      await announceTask(tx, viewer, list.id, task.id, TaskChangeKind.UPDATED);
      return updated!;
    });
  }

  /**
   * The task and its list, the list locked with the viewer's role checked. Re-reads the task after
   * taking the lock: a concurrent move may have taken it to another list in between.
   */
  private async locked(
    tx: Tx,
    viewer: Viewer,
    id: string,
    minimum = ListRole.EDITOR,
  ): Promise<{ task: TaskRow; list: ListWithRole }> {
    let listId = (await this.get(viewer, id, tx)).listId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const list = await requireList(tx, viewer.userId, listId, minimum, true);
      const [task] = await tx
        .select()
        .from(tasks)
        .where(eq(tasks.id, parseId(id, 'Task')));
      if (!task) throw new NotFoundError('Task');
      if (task.listId === list.id) return { task, list };
      listId = task.listId;
    }
    throw new NotFoundError('Task');
  }

  /** Adds `delta` to the positions in [from, to] (to = null: to the end). */
  private async shift(tx: Tx, listId: string, delta: number, from: number, to: number | null) {
    const range = to === null ? gte(tasks.position, from) : and(gte(tasks.position, from), lte(tasks.position, to));
    await tx
      .update(tasks)
      .set({ position: sql`${tasks.position} + ${delta}` })
      .where(and(eq(tasks.listId, listId), range));
  }

  /** The id of a member of the list; anyone else → BAD_USER_INPUT on assigneeId. */
  private async member(tx: Tx, listId: string, userId: string): Promise<string> {
    const [id] = validIds([userId]);
    const [row] = id
      ? await tx
          .select()
          .from(listMembers)
          .where(and(eq(listMembers.listId, listId), eq(listMembers.userId, id)))
      : [];
    if (!row) throw new InputError({ assigneeId: 'The assignee must be a member of the list' });
    return row.userId;
  }

  /** The viewer's own labels among `ids`; any other id → NOT_FOUND. */
  private ownLabels(tx: Tx, viewer: Viewer, ids: string[]): Promise<string[]> {
    return LABELS.owned(tx, viewer.userId, ids);
  }
}
