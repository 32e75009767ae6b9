import { and, asc, eq, gt, gte, lt, lte, ne, sql } from 'drizzle-orm';
import { type App, sendAll } from '../../shared/app.js';
import { type Tx, execRows } from '../../db/client.js';
import { listMembers, pendingShares, taskLists, tasks, users } from '../../db/schema/index.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { checkColor } from '../../shared/validation.js';
import { parseId } from '../../shared/ids.js';
import { type MailQuota, heldMessage, mailQuota } from '../../shared/mail-quota.js';
import type { Mail } from '../../shared/mailer.js';
import { recordActivity } from '../activity/index.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';
import { createNotifications } from '../notifications/index.js';
import { type ListWithRole, requireList } from './list-access.js';
import type { CreateTaskListInput, UpdateTaskListInput } from './task.inputs.js';
import { ListRole } from './task-list.type.js';

/** Lists, their members and sharing. Only the owner changes a list; members may leave. */
export class TaskListService {
  private readonly quota: MailQuota;

  constructor(private readonly app: App) {
    this.quota = mailQuota(app.config);
  }

  async listsOf(viewer: Viewer): Promise<ListWithRole[]> {
    const rows = await this.app.db
      .select({ list: taskLists, role: listMembers.role })
      .from(taskLists)
      .innerJoin(listMembers, and(eq(listMembers.listId, taskLists.id), eq(listMembers.userId, viewer.userId)))
      .orderBy(
        sql`${listMembers.role} <> 'OWNER'`,
        asc(taskLists.position),
        asc(taskLists.createdAt),
        asc(taskLists.id),
      );
    return rows.map((r) => ({ ...r.list, myRole: r.role as ListRole }));
  }

  /**
   * Whether anyone but the viewer reads the list (another member, or an invitation waiting for an
   * address), given the list or one of its tasks. Ids the viewer cannot see answer false: the write
   * itself will then fail with NOT_FOUND.
   */
  async sharedWithOthers(viewer: Viewer, target: { listId: string } | { taskId: string }): Promise<boolean> {
    const list =
      'listId' in target
        ? sql`${parseId(target.listId, 'Task list')}::uuid`
        : sql`(select list_id from ${tasks} where id = ${parseId(target.taskId, 'Task')})`;
    const [row] = await execRows<{ shared: boolean }>(
      this.app.db,
      sql`select exists (select 1 from ${listMembers} where list_id = ${list} and user_id = ${viewer.userId})
            and (exists (select 1 from ${listMembers} where list_id = ${list} and user_id <> ${viewer.userId})
              or exists (select 1 from ${pendingShares} where list_id = ${list})) as shared`,
    );
    return row?.shared === true;
  }

  async get(viewer: Viewer, id: string): Promise<ListWithRole> {
    return requireList(this.app.db, viewer.userId, id, ListRole.VIEWER);
  }

  async create(viewer: Viewer, input: CreateTaskListInput): Promise<ListWithRole> {
    const name = input.name.trim();
    const p = new FieldProblems();
    p.check(name.length >= 1 && name.length <= 100, 'name', 'Name must be 1-100 characters');
    checkColor(p, input.color);
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      // The owner's row serialises list creation, so positions stay dense.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(taskLists)
        .where(eq(taskLists.ownerId, viewer.userId));
      const [list] = await tx
        .insert(taskLists)
        .values({ ownerId: viewer.userId, name, color: input.color ?? null, position: Number(n) })
        .returning();
      await tx.insert(listMembers).values({ listId: list!.id, userId: viewer.userId, role: 'OWNER' });
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'list.created',
        entityType: 'task_list',
        entityId: list!.id,
        listId: list!.id,
        summary: `Created the list "${name}"`,
      });
      return { ...list!, myRole: ListRole.OWNER };
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateTaskListInput): Promise<ListWithRole> {
    const p = new FieldProblems();
    const name = input.name?.trim();
    if (input.name !== undefined)
      p.check(name !== undefined && name.length >= 1 && name.length <= 100, 'name', 'Name must be 1-100 characters');
    checkColor(p, input.color);
    if (input.position != null) p.check(input.position >= 0, 'position', 'Position must be 0 or more');
    p.throwIfAny();
    return this.app.db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
      const list = await requireList(tx, viewer.userId, id, ListRole.OWNER, true);
      const changes: Partial<typeof taskLists.$inferInsert> = { updatedAt: new Date() };
      if (name) changes.name = name;
      if (input.color !== undefined) changes.color = input.color;
      if (input.position != null) changes.position = await this.reorder(tx, viewer.userId, list, input.position);
      const [updated] = await tx.update(taskLists).set(changes).where(eq(taskLists.id, list.id)).returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'list.updated',
        entityType: 'task_list',
        entityId: list.id,
        listId: list.id,
        summary: `Updated the list "${updated!.name}"`,
      });
      return { ...updated!, myRole: list.myRole };
    });
  }

  /** Moves the list to `target` among the owner's lists, shifting the ones between. */
  private async reorder(tx: Tx, ownerId: string, list: ListWithRole, target: number): Promise<number> {
    const [{ n } = { n: 1 }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(taskLists)
      .where(eq(taskLists.ownerId, ownerId));
    const to = Math.min(target, Number(n) - 1);
    const from = list.position;
    if (to < from) {
      await tx
        .update(taskLists)
        .set({ position: sql`${taskLists.position} + 1` })
        .where(and(eq(taskLists.ownerId, ownerId), gte(taskLists.position, to), lt(taskLists.position, from)));
    } else if (to > from) {
      await tx
        .update(taskLists)
        .set({ position: sql`${taskLists.position} - 1` })
        .where(and(eq(taskLists.ownerId, ownerId), gt(taskLists.position, from), lte(taskLists.position, to)));
    }
    return to;
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, viewer.userId)).for('update');
      const list = await requireList(tx, viewer.userId, id, ListRole.OWNER, true);
      await tx.delete(taskLists).where(eq(taskLists.id, list.id));
      await tx
        .update(taskLists)
        .set({ position: sql`${taskLists.position} - 1` })
        .where(and(eq(taskLists.ownerId, viewer.userId), gt(taskLists.position, list.position)));
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'list.deleted',
        entityType: 'task_list',
        entityId: list.id,
        summary: `Deleted the list "${list.name}"`,
      });
      return list.id;
    });
  }

  /** Adds a member (or changes their role); an address without an account waits for its registration. */
  async share(viewer: Viewer, id: string, rawEmail: string, role: ListRole): Promise<ListWithRole> {
    const email = normalizeEmail(rawEmail);
    const p = new FieldProblems();
    checkEmail(p, email);
    p.check(role !== ListRole.OWNER, 'role', 'Share as EDITOR or VIEWER');
    p.check(email !== viewer.user.email, 'email', 'You own this list already');
    p.throwIfAny();
    const mails: Mail[] = [];
    const list = await this.app.db.transaction(async (tx) => {
      const list = await requireList(tx, viewer.userId, id, ListRole.OWNER, true);
      const [user] = await tx.select().from(users).where(eq(users.email, email));
      const who = viewer.user.name ?? viewer.user.email;
      if (user) {
        const [before] = await tx
          .select()
          .from(listMembers)
          .where(and(eq(listMembers.listId, list.id), eq(listMembers.userId, user.id)));
        if (before?.role === role) return list;
        await tx
          .insert(listMembers)
          .values({ listId: list.id, userId: user.id, role })
          .onConflictDoUpdate({ target: [listMembers.listId, listMembers.userId], set: { role } });
        await createNotifications(tx, [
          {
            userId: user.id,
            kind: 'TASK_LIST_SHARED',
            title: `${who} shared "${list.name}" with you`,
            body: `You can ${role === ListRole.EDITOR ? 'edit' : 'view'} it.`,
            entityType: 'task_list',
            entityId: list.id,
          },
        ]);
      } else {
        await tx
          .insert(pendingShares)
          .values({ listId: list.id, email, role, invitedById: viewer.userId })
          .onConflictDoUpdate({ target: [pendingShares.listId, pendingShares.email], set: { role } });
      }
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'list.shared',
        entityType: 'task_list',
        entityId: list.id,
        listId: list.id,
        summary: `Shared "${list.name}" with ${email} as ${role}`,
      });
      if (await this.quota.take(tx, viewer.userId, email)) {
        mails.push({
          kind: 'list-shared',
          to: email,
          subject: `${who} shared "${list.name}" with you on Orbit`,
          text: `${who} shared the task list "${list.name}" with you (${role}).\n\n${this.app.config.APP_URL}\n`,
        });
      } else {
        await createNotifications(tx, [
          {
            userId: viewer.userId,
            kind: 'EMAIL_LIMIT_REACHED',
            ...heldMessage('share', [email], this.app.config),
            entityType: 'task_list',
            entityId: list.id,
          },
        ]);
      }
      return list;
    });
    await sendAll(this.app, mails);
    return list;
  }

  /** The owner removes a member, or a member leaves. Their assignments in the list are cleared. */
  async removeMember(viewer: Viewer, id: string, rawUserId: string): Promise<ListWithRole> {
    const userId = parseId(rawUserId, 'Member');
    return this.app.db.transaction(async (tx) => {
      const leaving = userId === viewer.userId;
      const list = await requireList(tx, viewer.userId, id, leaving ? ListRole.VIEWER : ListRole.OWNER, true);
      if (leaving && list.myRole === ListRole.OWNER)
        throw new InputError({ userId: 'The owner cannot leave; delete the list instead' });
      const [removed] = await tx
        .delete(listMembers)
        .where(and(eq(listMembers.listId, list.id), eq(listMembers.userId, userId), ne(listMembers.role, 'OWNER')))
        .returning();
      if (!removed) throw new NotFoundError('Member');
      await tx
        .update(tasks)
        .set({ assigneeId: null })
        .where(and(eq(tasks.listId, list.id), eq(tasks.assigneeId, userId)));
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: leaving ? 'list.left' : 'list.member_removed',
        entityType: 'task_list',
        entityId: list.id,
        listId: list.id,
        summary: leaving ? `Left "${list.name}"` : `Removed a member from "${list.name}"`,
      });
      return list;
    });
  }
}
