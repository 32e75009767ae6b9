import { date, index, integer, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';

export const projectStatusEnum = pgEnum('project_status', ['PLANNED', 'ACTIVE', 'PAUSED', 'COMPLETED', 'CANCELLED']);

/** A person's grouping of projects (Health, Work, ...): personal, never shared. */
export const areas = pgTable(
  'areas',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    /** Dense order of the owner's areas. */
    position: integer().notNull(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [index('areas_owner_idx').on(t.ownerId, t.position)],
);

/** A personal project: tasks from any list the owner may edit join it (tasks.project_id). */
export const projects = pgTable(
  'projects',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    areaId: uuid().references(() => areas.id, { onDelete: 'set null' }),
    name: text().notNull(),
    description: text(),
    color: text(),
    status: projectStatusEnum().notNull().default('ACTIVE'),
    startDate: date({ mode: 'string' }),
    dueDate: date({ mode: 'string' }),
    /** Dense order of the owner's projects. */
    position: integer().notNull(),
    completedAt: ts(),
    archivedAt: ts(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [index('projects_owner_idx').on(t.ownerId, t.position), index('projects_area_idx').on(t.areaId)],
);

export const projectSections = pgTable(
  'project_sections',
  {
    id: uuid().primaryKey().defaultRandom(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** Dense order inside the project. */
    position: integer().notNull(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [index('project_sections_project_idx').on(t.projectId, t.position)],
);
