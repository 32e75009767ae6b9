import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';
import { projectSections, projects } from './projects.js';

export const listRoleEnum = pgEnum('list_role', ['OWNER', 'EDITOR', 'VIEWER']);
export const taskStatusEnum = pgEnum('task_status', ['TODO', 'IN_PROGRESS', 'DONE', 'CANCELLED']);
/** Declared from lowest to highest: ORDER BY priority sorts by urgency. */
export const taskPriorityEnum = pgEnum('task_priority', ['LOW', 'MEDIUM', 'HIGH', 'URGENT']);

export const taskLists = pgTable(
  'task_lists',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    /** Dense order of the owner's lists. */
    position: integer().notNull(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [index('task_lists_owner_idx').on(t.ownerId, t.position)],
);

/** Everyone who sees a list, the owner included (role OWNER). */
export const listMembers = pgTable(
  'list_members',
  {
    listId: uuid()
      .notNull()
      .references(() => taskLists.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: listRoleEnum().notNull(),
    addedAt: ts().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.userId] }), index('list_members_user_idx').on(t.userId)],
);

/** A share with an address that has no account yet; applied when that person registers. */
export const pendingShares = pgTable(
  'pending_shares',
  {
    listId: uuid()
      .notNull()
      .references(() => taskLists.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    role: listRoleEnum().notNull(),
    invitedById: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.email] }),
    index('pending_shares_email_idx').on(t.email),
    index('pending_shares_inviter_idx').on(t.invitedById),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: uuid().primaryKey().defaultRandom(),
    listId: uuid()
      .notNull()
      .references(() => taskLists.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    notes: text(),
    status: taskStatusEnum().notNull().default('TODO'),
    priority: taskPriorityEnum().notNull().default('MEDIUM'),
    dueAt: ts(),
    /** The due date is a day: dueAt is 23:59:59 of it in the timezone of whoever set it. */
    dueAllDay: boolean().notNull().default(false),
    completedAt: ts(),
    /** The project of whoever put it there (projects are personal); others see none. */
    projectId: uuid().references(() => projects.id, { onDelete: 'set null' }),
    sectionId: uuid().references(() => projectSections.id, { onDelete: 'set null' }),
    /** Dense order inside the list: 0..n-1. */
    position: integer().notNull(),
    assigneeId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdById: uuid()
      .notNull()
      .references(() => users.id),
    /**
     * Who last wrote the title or notes (a collaborator's edit counts): the assistant treats the text
     * as the viewer's own only when this is the viewer. Null when it came from outside (an email).
     */
    textAuthorId: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    index('tasks_list_position_idx').on(t.listId, t.position, t.id),
    index('tasks_list_due_idx').on(t.listId, t.dueAt, t.id),
    index('tasks_list_priority_idx').on(t.listId, t.priority, t.id),
    index('tasks_list_created_idx').on(t.listId, t.createdAt, t.id),
    index('tasks_list_updated_idx').on(t.listId, t.updatedAt, t.id),
    index('tasks_list_status_idx').on(t.listId, t.status),
    index('tasks_assignee_idx').on(t.assigneeId),
    index('tasks_created_by_idx').on(t.createdById),
    index('tasks_text_author_idx').on(t.textAuthorId),
    index('tasks_project_idx').on(t.projectId),
    index('tasks_section_idx').on(t.sectionId),
  ],
);

export const labels = pgTable(
  'labels',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('labels_owner_name_key').on(t.ownerId, sql`lower(${t.name})`)],
);

export const taskLabels = pgTable(
  'task_labels',
  {
    taskId: uuid()
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    labelId: uuid()
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.labelId] }), index('task_labels_label_idx').on(t.labelId)],
);
