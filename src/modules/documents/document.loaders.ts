import DataLoader from 'dataloader';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { anyId } from '../../db/sql.js';
import { documentTags, tags } from '../../db/schema/index.js';
import type { TagRow } from './document.type.js';

export function createDocumentLoaders(db: Db) {
  return {
    tagsByDocument: new DataLoader<string, TagRow[]>(async (ids) => {
      const rows = await db
        .select({ documentId: documentTags.documentId, tag: tags })
        .from(documentTags)
        .innerJoin(tags, eq(tags.id, documentTags.tagId))
        .where(anyId(documentTags.documentId, ids))
        .orderBy(sql`lower(${tags.name})`, tags.id);
      return ids.map((id) => rows.filter((r) => r.documentId === id).map((r) => r.tag));
    }),
    documentCountByTag: new DataLoader<string, number>(async (ids) => {
      const rows = await db
        .select({ tagId: documentTags.tagId, n: sql<number>`count(*)::int` })
        .from(documentTags)
        .where(anyId(documentTags.tagId, ids))
        .groupBy(documentTags.tagId);
      const byId = new Map(rows.map((r) => [r.tagId, Number(r.n)]));
      return ids.map((id) => byId.get(id) ?? 0);
    }),
  };
}

export type DocumentLoaders = ReturnType<typeof createDocumentLoaders>;
