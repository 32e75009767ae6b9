import { type SQL, sql } from 'drizzle-orm';
import { customType, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const documents = pgTable(
  'documents',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    content: text().notNull(),
    wordCount: integer().notNull(),
    /** Title weighs more than content in the ranking. */
    search: tsvector().generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', ${documents.title}), 'A') || setweight(to_tsvector('english', ${documents.content}), 'B')`,
    ),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    index('documents_owner_idx').on(t.ownerId, t.updatedAt, t.id),
    index('documents_search_idx').using('gin', t.search),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid().primaryKey().defaultRandom(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    color: text(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tags_owner_name_key').on(t.ownerId, sql`lower(${t.name})`)],
);

export const documentTags = pgTable(
  'document_tags',
  {
    documentId: uuid()
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    tagId: uuid()
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.tagId] }), index('document_tags_tag_idx').on(t.tagId)],
);
