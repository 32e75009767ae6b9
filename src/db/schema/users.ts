import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ts } from './columns.js';

export const roleEnum = pgEnum('role', ['USER', 'ADMIN']);
export const tierEnum = pgEnum('tier', ['FREE', 'STARTER', 'BUILDER', 'ADVANCED']);

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Stored lower-cased. */
    email: text().notNull(),
    username: text(),
    name: text(),
    timezone: text().notNull().default('UTC'),
    role: roleEnum().notNull().default('USER'),
    tier: tierEnum().notNull().default('FREE'),
    passwordHash: text().notNull(),
    emailVerifiedAt: ts(),
    suspendedAt: ts(),
    suspensionReason: text(),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
    index('users_created_at_idx').on(t.createdAt, t.id),
  ],
);
