import { type SQL, and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { documentTags, documents } from '../../db/schema/index.js';
import { FieldProblems, InputError, NotFoundError, sqlState } from '../../shared/errors.js';
import { parseId, validIds } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import { recordActivity } from '../activity/index.js';
import type { Viewer } from '../../shared/viewer.js';
import type { CreateDocumentInput, CreateTagInput, DocumentRow, UpdateDocumentInput } from './document.type.js';
import type { TagRow } from '../../shared/tag-set.js';
import { TAGS } from './tags.js';
import { countWords } from '../../shared/words.js';

const { search: _search, ...columns } = getTableColumns(documents);
const CONTENT_MAX_BYTES = 1024 * 1024;

/**
 * PostgreSQL's tsvector holds at most 1 MB: content of up to 1 MB whose distinct words would index
 * past that (54000, program_limit_exceeded) is bad input, not a server error.
 */
async function searchable<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (sqlState(error) === '54000')
      throw new InputError({
        content: 'The content has too many distinct words to be indexed for search; split it into smaller documents',
      });
    throw error;
  }
}

export class DocumentService {
  constructor(private readonly app: App) {}

  /**
   * The viewer's documents. With `search`: PostgreSQL full-text search (websearch syntax) on the
   * generated tsvector, best ts_rank first, with a ts_headline snippet. Otherwise newest change first.
   */
  async list(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
    tagIds: string[] | null | undefined,
    search: string | null | undefined,
  ): Promise<Connection<DocumentRow>> {
    const page = pageRequest(first, after);
    const conditions: Array<SQL | undefined> = [eq(documents.ownerId, viewer.userId)];
    if (tagIds?.length) {
      const ids = validIds(tagIds);
      conditions.push(
        ids.length < new Set(tagIds).size
          ? sql`false`
          : sql`(select count(*) from ${documentTags} where ${documentTags.documentId} = ${documents.id} and ${inArray(documentTags.tagId, ids)}) = ${ids.length}`,
      );
    }
    const term = search?.trim();
    const query = term ? sql`websearch_to_tsquery('english', ${term})` : null;
    if (query) conditions.push(sql`${documents.search} @@ ${query}`);
    const scope = and(...conditions);
    const rank = query ? sql<number>`ts_rank(${documents.search}, ${query})` : null;
    const orderExpr = rank ?? documents.updatedAt;
    const selected = {
      ...columns,
      ...(rank && query
        ? {
            rank: rank.as('rank'),
            snippet:
              sql<string>`ts_headline('english', ${documents.content}, ${query}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2')`.as(
                'snippet',
              ),
          }
        : {}),
    };
    return keysetPage<DocumentRow>(
      page,
      {
        expr: orderExpr,
        id: documents.id,
        dir: 'DESC',
        cast: rank ? cursorCast.real : cursorCast.timestamptz,
        cursorOf: (r) => [rank ? Number(r.rank) : r.updatedAt.toISOString(), r.id],
      },
      async (past, order, limit) =>
        await this.app.db
          .select(selected)
          .from(documents)
          .where(and(scope, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, documents, scope),
    );
  }

  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<DocumentRow> {
    const [row] = await q
      .select(columns)
      .from(documents)
      .where(and(eq(documents.id, parseId(id, 'Document')), eq(documents.ownerId, viewer.userId)));
    if (!row) throw new NotFoundError('Document');
    return row;
  }

  async create(viewer: Viewer, input: CreateDocumentInput): Promise<DocumentRow> {
    const title = this.check(input.title, input.content);
    return searchable(
      this.app.db.transaction(async (tx) => {
        const tagIds = input.tagIds?.length ? await this.ownTags(tx, viewer, input.tagIds) : [];
        const [doc] = await tx
          .insert(documents)
          .values({
            ownerId: viewer.userId,
            title: title!,
            content: input.content,
            wordCount: countWords(input.content),
          })
          .returning(columns);
        await TAGS.attach(tx, doc!.id, tagIds);
        await recordActivity(tx, {
          actorId: viewer.userId,
          verb: 'document.created',
          entityType: 'document',
          entityId: doc!.id,
          summary: `Wrote "${title}"`,
        });
        return doc!;
      }),
    );
  }

  update(viewer: Viewer, id: string, input: UpdateDocumentInput): Promise<DocumentRow> {
    return searchable(this.updated(viewer, id, input));
  }

  private async updated(viewer: Viewer, id: string, input: UpdateDocumentInput): Promise<DocumentRow> {
    const title = this.check(input.title ?? undefined, input.content ?? undefined, input.title !== undefined);
    return this.app.db.transaction(async (tx) => {
      const before = await this.get(viewer, id, tx);
      const changes: Partial<typeof documents.$inferInsert> = { updatedAt: new Date() };
      if (title) changes.title = title;
      if (input.content != null)
        Object.assign(changes, { content: input.content, wordCount: countWords(input.content) });
      const [doc] = await tx.update(documents).set(changes).where(eq(documents.id, before.id)).returning(columns);
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'document.updated',
        entityType: 'document',
        entityId: before.id,
        summary: `Edited "${doc!.title}"`,
      });
      return doc!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const doc = await this.get(viewer, id, tx);
      await tx.delete(documents).where(eq(documents.id, doc.id));
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'document.deleted',
        entityType: 'document',
        entityId: doc.id,
        summary: `Deleted "${doc.title}"`,
      });
      return doc.id;
    });
  }

  /** Replaces the document's tags with the given set (the viewer's own tags). */
  async setTags(viewer: Viewer, id: string, tagIds: string[]): Promise<DocumentRow> {
    return this.app.db.transaction(async (tx) => {
      const doc = await this.get(viewer, id, tx);
      const wanted = await this.ownTags(tx, viewer, tagIds);
      await TAGS.replace(tx, doc.id, viewer.userId, wanted);
      const [updated] = await tx
        .update(documents)
        .set({ updatedAt: new Date() })
        .where(eq(documents.id, doc.id))
        .returning(columns);
      return updated!;
    });
  }

  tags(viewer: Viewer): Promise<TagRow[]> {
    return TAGS.list(this.app.db, viewer.userId);
  }

  createTag(viewer: Viewer, input: CreateTagInput): Promise<TagRow> {
    return TAGS.create(this.app.db, viewer.userId, input);
  }

  async deleteTag(viewer: Viewer, id: string): Promise<string> {
    return (await TAGS.delete(this.app.db, viewer.userId, id)).id;
  }

  private check(title: string | undefined, content: string | undefined, titleGiven = true): string | undefined {
    const p = new FieldProblems();
    const t = title?.trim();
    if (titleGiven) p.check(!!t && t.length <= 300, 'title', 'Title must be 1-300 characters');
    if (content !== undefined)
      p.check(Buffer.byteLength(content) <= CONTENT_MAX_BYTES, 'content', 'Content must be at most 1 MB');
    p.throwIfAny();
    return t;
  }

  private ownTags(q: Queryable, viewer: Viewer, ids: string[]): Promise<string[]> {
    return TAGS.owned(q, viewer.userId, ids);
  }
}
