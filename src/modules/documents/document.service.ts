import { type SQL, and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { documentTags, documents, tags } from '../../db/schema/index.js';
import { ConflictError, FieldProblems, NotFoundError, isUniqueViolation } from '../../shared/errors.js';
import { parseId, validIds } from '../../shared/ids.js';
import { ownedIds } from '../../shared/owned.js';
import { type Connection, cursorCast, keysetAfter, keysetOrder, pageRequest, toConnection } from '../../shared/pagination.js';
import { recordActivity } from '../activity/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { checkColor } from '../../shared/validation.js';
import type { CreateDocumentInput, CreateTagInput, DocumentRow, TagRow, UpdateDocumentInput } from './document.type.js';
import { countWords } from '../../shared/words.js';

const { search: _search, ...columns } = getTableColumns(documents);
const CONTENT_MAX_BYTES = 1024 * 1024;

export class DocumentService {
  constructor(private readonly app: App) {}

  /**
   * The viewer's documents. With `search`: PostgreSQL full-text search (websearch syntax) on the
   * generated tsvector, best ts_rank first, with a ts_headline snippet. Otherwise newest change first.
   */
  async list(viewer: Viewer, first: number | null | undefined, after: string | null | undefined, tagIds: string[] | null | undefined, search: string | null | undefined): Promise<Connection<DocumentRow>> {
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
    const cast = rank ? cursorCast.real : cursorCast.timestamptz;
    const rows = await this.app.db
      .select({
        ...columns,
        ...(rank && query
          ? { rank: rank.as('rank'), snippet: sql<string>`ts_headline('english', ${documents.content}, ${query}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2')`.as('snippet') }
          : {}),
      })
      .from(documents)
      .where(and(scope, keysetAfter(orderExpr, documents.id, 'DESC', page.after, cast)))
      .orderBy(...keysetOrder(orderExpr, documents.id, 'DESC'))
      .limit(page.limit + 1);
    return toConnection(rows as DocumentRow[], page, (r) => [rank ? Number(r.rank) : r.updatedAt.toISOString(), r.id], async () => {
      const [row] = await this.app.db.select({ n: sql<number>`count(*)::int` }).from(documents).where(scope);
      return Number(row?.n ?? 0);
    });
  }

  async get(viewer: Viewer, id: string, q: Queryable = this.app.db): Promise<DocumentRow> {
    const [row] = await q.select(columns).from(documents).where(and(eq(documents.id, parseId(id, 'Document')), eq(documents.ownerId, viewer.userId)));
    if (!row) throw new NotFoundError('Document');
    return row;
  }

  async create(viewer: Viewer, input: CreateDocumentInput): Promise<DocumentRow> {
    const title = this.check(input.title, input.content);
    return this.app.db.transaction(async (tx) => {
      const tagIds = input.tagIds?.length ? await this.ownTags(tx, viewer, input.tagIds) : [];
      const [doc] = await tx
        .insert(documents)
        .values({ ownerId: viewer.userId, title: title!, content: input.content, wordCount: countWords(input.content) })
        .returning(columns);
      if (tagIds.length) await tx.insert(documentTags).values(tagIds.map((tagId) => ({ documentId: doc!.id, tagId })));
      await recordActivity(tx, { actorId: viewer.userId, verb: 'document.created', entityType: 'document', entityId: doc!.id, summary: `Wrote "${title}"` });
      return doc!;
    });
  }

  async update(viewer: Viewer, id: string, input: UpdateDocumentInput): Promise<DocumentRow> {
    const title = this.check(input.title ?? undefined, input.content ?? undefined, input.title !== undefined);
    return this.app.db.transaction(async (tx) => {
      const before = await this.get(viewer, id, tx);
      const changes: Partial<typeof documents.$inferInsert> = { updatedAt: new Date() };
      if (title) changes.title = title;
      if (input.content != null) Object.assign(changes, { content: input.content, wordCount: countWords(input.content) });
      const [doc] = await tx.update(documents).set(changes).where(eq(documents.id, before.id)).returning(columns);
      await recordActivity(tx, { actorId: viewer.userId, verb: 'document.updated', entityType: 'document', entityId: before.id, summary: `Edited "${doc!.title}"` });
      return doc!;
    });
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    return this.app.db.transaction(async (tx) => {
      const doc = await this.get(viewer, id, tx);
      await tx.delete(documents).where(eq(documents.id, doc.id));
      await recordActivity(tx, { actorId: viewer.userId, verb: 'document.deleted', entityType: 'document', entityId: doc.id, summary: `Deleted "${doc.title}"` });
      return doc.id;
    });
  }

  /** Replaces the document's tags with the given set (the viewer's own tags). */
  async setTags(viewer: Viewer, id: string, tagIds: string[]): Promise<DocumentRow> {
    return this.app.db.transaction(async (tx) => {
      const doc = await this.get(viewer, id, tx);
      const wanted = await this.ownTags(tx, viewer, tagIds);
      await tx.delete(documentTags).where(eq(documentTags.documentId, doc.id));
      if (wanted.length) await tx.insert(documentTags).values(wanted.map((tagId) => ({ documentId: doc.id, tagId })));
      const [updated] = await tx.update(documents).set({ updatedAt: new Date() }).where(eq(documents.id, doc.id)).returning(columns);
      return updated!;
    });
  }

  tags(viewer: Viewer): Promise<TagRow[]> {
    return this.app.db.select().from(tags).where(eq(tags.ownerId, viewer.userId)).orderBy(sql`lower(${tags.name})`, tags.id);
  }

  async createTag(viewer: Viewer, input: CreateTagInput): Promise<TagRow> {
    const name = input.name.trim();
    const p = new FieldProblems();
    p.check(name.length >= 1 && name.length <= 50, 'name', 'Name must be 1-50 characters');
    checkColor(p, input.color);
    p.throwIfAny();
    try {
      const [tag] = await this.app.db.insert(tags).values({ ownerId: viewer.userId, name, color: input.color ?? null }).returning();
      return tag!;
    } catch (error) {
      if (isUniqueViolation(error, 'tags_owner_name_key')) throw new ConflictError('You have a tag with this name already', 'name');
      throw error;
    }
  }

  async deleteTag(viewer: Viewer, id: string): Promise<string> {
    const [tag] = await this.app.db.delete(tags).where(and(eq(tags.id, parseId(id, 'Tag')), eq(tags.ownerId, viewer.userId))).returning({ id: tags.id });
    if (!tag) throw new NotFoundError('Tag');
    return tag.id;
  }

  private check(title: string | undefined, content: string | undefined, titleGiven = true): string | undefined {
    const p = new FieldProblems();
    const t = title?.trim();
    if (titleGiven) p.check(!!t && t.length <= 300, 'title', 'Title must be 1-300 characters');
    if (content !== undefined) p.check(Buffer.byteLength(content) <= CONTENT_MAX_BYTES, 'content', 'Content must be at most 1 MB');
    p.throwIfAny();
    return t;
  }

  private ownTags(q: Queryable, viewer: Viewer, ids: string[]): Promise<string[]> {
    return ownedIds(q, tags, tags.id, tags.ownerId, viewer.userId, ids, 'Tag');
  }
}
