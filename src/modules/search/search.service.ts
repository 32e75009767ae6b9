import { and, eq, or, sql } from 'drizzle-orm';
import { execRows } from '../../db/client.js';
import { relations } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { AppError, ErrorCode, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { isUniqueViolation } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import type { Viewer } from '../../shared/viewer.js';
import { SEARCHABLES, searchableOf } from './searchables.js';
import { type RelateInput, SearchMode, SearchableType, type SemanticIndexStatus } from './search.type.js';

export const SEARCH_FIRST_MAX = 50;
const QUERY_MAX = 500;
const KIND = /^[a-z0-9_]{1,40}$/;

export interface HitRow {
  type: SearchableType;
  id: string;
  title: string;
  snippet: string;
  score: number;
  matchedText: boolean;
  matchedSemantic: boolean;
  /** Written by the viewer (the assistant's approval rule asks). */
  own: boolean;
}

export type RelationRow = typeof relations.$inferSelect;

/**
 * One search over everything the viewer can see. TEXT ranks with full-text search (the generated
 * tsvector of each type, websearch syntax, ts_rank), in one statement with ts_headline snippets
 * for the hits returned. Semantic search needs embeddings, which this server does not compute yet:
 * HYBRID answers as TEXT and SEMANTIC is BAD_USER_INPUT with the reason.
 */
export class SearchService {
  constructor(private readonly app: App) {}

  status(): SemanticIndexStatus {
    return { available: false, reason: 'Semantic search is not available on this server: it computes no embeddings (no provider, no vector index)', model: null, dimensions: null, indexed: 0, pending: 0 };
  }

  async search(viewer: Viewer, query: string, types: SearchableType[] | null | undefined, mode: SearchMode | null | undefined, first: number | null | undefined): Promise<HitRow[]> {
    const term = query.trim();
    const limit = first ?? 20;
    const p = new FieldProblems();
    p.check(term.length >= 1, 'query', 'Give words to search for');
    p.check(query.length <= QUERY_MAX, 'query', `The query is at most ${QUERY_MAX} characters`);
    p.check(Number.isInteger(limit) && limit >= 1 && limit <= SEARCH_FIRST_MAX, 'first', `first must be 1-${SEARCH_FIRST_MAX}`);
    p.throwIfAny();
    if (mode === SearchMode.SEMANTIC) throw new InputError({ mode: this.status().reason! });
    const wanted = SEARCHABLES.filter((s) => !types?.length || types.includes(s.type));
    if (wanted.length === 0) return [];
    const q = sql`(select q from q)`;
    const ranked = sql.join(
      wanted.map((s) => sql`(select ${s.type}::text as type, ${sql.raw(s.as)}.id, ts_rank(${sql.raw(s.as)}.search, ${q}) as score from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${s.visible(viewer.userId)} and ${sql.raw(s.as)}.search @@ ${q})`),
      sql` union all `,
    );
    // Titles and snippets for the returned hits only: ts_headline re-parses the text.
    const details = wanted.map(
      (s, i) =>
        sql`left join lateral (select ${s.title} as title, ts_headline('english', ${s.text}, ${q}, 'StartSel="", StopSel="", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') as snippet, ${s.author} = ${viewer.userId} as own from ${sql.raw(s.table)} ${sql.raw(s.as)} where h.type = ${s.type} and ${sql.raw(s.as)}.id = h.id) ${sql.raw(`x${i}`)} on true`,
    );
    const pick = (field: string) => sql.raw(`coalesce(${wanted.map((_, i) => `x${i}.${field}`).join(', ')})`);
    const rows = await execRows<{ type: SearchableType; id: string; score: number; title: string; snippet: string; own: boolean }>(
      this.app.db,
      sql`with q as (select websearch_to_tsquery('english', ${term}) as q),
          h as (select * from (${ranked}) r order by score desc, id limit ${limit})
          select h.type, h.id, h.score, ${pick('title')} as title, ${pick('snippet')} as snippet, ${pick('own')} as own
          from h ${sql.join(details, sql` `)}
          order by h.score desc, h.id`,
    );
    return rows.map((r) => ({ ...r, score: Number(r.score), snippet: r.snippet.replace(/\s+/g, ' ').trim(), matchedText: true, matchedSemantic: false }));
  }

  similar(): never {
    throw new InputError({ id: this.status().reason! });
  }

  /** True when the viewer can see the item (as search would show it). */
  async visible(viewer: Viewer, type: SearchableType, id: string): Promise<boolean> {
    const s = searchableOf(type);
    if (!s) return false;
    const rows = await execRows(this.app.db, sql`select 1 from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${sql.raw(s.as)}.id = ${id} and ${s.visible(viewer.userId)}`);
    return rows.length > 0;
  }

  async relate(viewer: Viewer, input: RelateInput): Promise<RelationRow> {
    const kind = input.kind.trim();
    new FieldProblems().check(KIND.test(kind), 'kind', 'kind is 1-40 characters: a-z, 0-9, _').throwIfAny();
    const fromId = parseId(input.fromId, 'Item');
    const toId = parseId(input.toId, 'Item');
    if (input.fromType === input.toType && fromId === toId) throw new InputError({ toId: 'An item cannot be linked to itself' });
    if (!(await this.visible(viewer, input.fromType, fromId)) || !(await this.visible(viewer, input.toType, toId))) throw new NotFoundError('Item');
    const values = { userId: viewer.userId, fromType: input.fromType, fromId, toType: input.toType, toId, kind };
    try {
      const [row] = await this.app.db.insert(relations).values(values).returning();
      return row!;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Linking again returns the existing link.
      const [row] = await this.app.db
        .select()
        .from(relations)
        .where(and(eq(relations.userId, viewer.userId), eq(relations.fromType, input.fromType), eq(relations.fromId, fromId), eq(relations.toType, input.toType), eq(relations.toId, toId), eq(relations.kind, kind)));
      if (!row) throw new AppError(ErrorCode.CONFLICT, 'The link changed meanwhile; try again');
      return row;
    }
  }

  async unrelate(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db.delete(relations).where(and(eq(relations.id, parseId(id, 'Relation')), eq(relations.userId, viewer.userId))).returning({ id: relations.id });
    if (!row) throw new NotFoundError('Relation');
    return row.id;
  }

  /** The viewer's links of an item, both directions, whose other end the viewer still sees. */
  async related(viewer: Viewer, type: SearchableType, rawId: string): Promise<Array<RelationRow & { otherType: SearchableType; otherId: string }>> {
    const id = parseId(rawId, 'Item');
    if (!(await this.visible(viewer, type, id))) throw new NotFoundError('Item');
    const rows = await this.app.db
      .select()
      .from(relations)
      .where(and(eq(relations.userId, viewer.userId), or(and(eq(relations.fromType, type), eq(relations.fromId, id)), and(eq(relations.toType, type), eq(relations.toId, id)))))
      .orderBy(relations.createdAt, relations.id)
      .limit(200);
    return rows.map((r) => (r.fromType === type && r.fromId === id ? { ...r, otherType: r.toType as SearchableType, otherId: r.toId } : { ...r, otherType: r.fromType as SearchableType, otherId: r.fromId }));
  }
}
