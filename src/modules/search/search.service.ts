import { and, eq, or, sql } from 'drizzle-orm';
import { type Db, type Tx, execRows } from '../../db/client.js';
import { relations } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { AppError, ErrorCode, FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { isUniqueViolation } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { countWhere } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { vectorLiteral } from './embeddings.provider.js';
import { type RawHit, type Ranking, rankHits } from './hit-query.js';
import { SEARCHABLES, searchableOf } from './searchables.js';
import './app-resources.js';
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
 * One search over everything the viewer can see. TEXT ranks with full-text search (each type's
 * generated tsvector, websearch syntax, ts_rank); SEMANTIC with the embeddings (pgvector HNSW,
 * cosine); HYBRID (the default) fuses both by reciprocal rank. Without semantic search (no
 * provider, no pgvector) HYBRID answers as TEXT and SEMANTIC is BAD_USER_INPUT with the reason.
 */
export class SearchService {
  constructor(private readonly app: App) {}

  async status(viewer: Viewer): Promise<SemanticIndexStatus> {
    const state = this.app.semantic;
    const c = this.app.config;
    // Items wait in the queue wherever there is an index to fill, with or without a provider yet.
    const counts = state.indexable
      ? await indexCounts(this.app.db, viewer.userId, c.EMBEDDINGS_MODEL, c.EMBEDDINGS_DIMENSIONS)
      : { indexed: 0, pending: 0 };
    return {
      available: state.available,
      reason: state.reason,
      model: state.available ? c.EMBEDDINGS_MODEL : null,
      dimensions: state.available ? c.EMBEDDINGS_DIMENSIONS : null,
      ...counts,
    };
  }

  async search(
    viewer: Viewer,
    query: string,
    types: SearchableType[] | null | undefined,
    mode: SearchMode | null | undefined,
    first: number | null | undefined,
  ): Promise<HitRow[]> {
    const term = query.trim();
    const limit = first ?? 20;
    const p = new FieldProblems();
    p.check(term.length >= 1, 'query', 'Give words to search for');
    p.check(query.length <= QUERY_MAX, 'query', `The query is at most ${QUERY_MAX} characters`);
    p.check(
      Number.isInteger(limit) && limit >= 1 && limit <= SEARCH_FIRST_MAX,
      'first',
      `first must be 1-${SEARCH_FIRST_MAX}`,
    );
    p.throwIfAny();
    const semantic = this.app.semantic;
    if (mode === SearchMode.SEMANTIC && !semantic.available)
      throw new InputError({ mode: semantic.reason ?? 'Semantic search is not available' });
    const wanted = SEARCHABLES.filter((s) => !types?.length || types.includes(s.type));
    if (wanted.length === 0) return [];
    let vector: Ranking['vector'];
    if (mode !== SearchMode.TEXT && semantic.provider) {
      try {
        const [v] = await semantic.provider.embed([term]);
        vector = {
          literal: vectorLiteral(v!),
          dimensions: semantic.provider.dimensions,
          model: semantic.provider.model,
        };
      } catch (error) {
        // HYBRID keeps working on text when the provider fails; SEMANTIC cannot.
        if (mode === SearchMode.SEMANTIC)
          throw new AppError(
            ErrorCode.INTERNAL_SERVER_ERROR,
            'Semantic search failed: the embeddings provider is unavailable',
            { reason: 'EMBEDDINGS_UNAVAILABLE' },
          );
        this.app.logger.warn({ err: error }, 'embeddings provider failed; searching by text only');
      }
    }
    const ranking: Ranking = { text: mode === SearchMode.SEMANTIC ? undefined : term, vector };
    const rows = vector
      ? await withVectorScan(this.app.db, (tx) => rankHits(tx, wanted, viewer.userId, ranking, limit))
      : await rankHits(this.app.db, wanted, viewer.userId, ranking, limit);
    return rows.map(toHit);
  }

  /** Items closest in meaning to the given one (its first chunk's vector). */
  async similar(
    viewer: Viewer,
    type: SearchableType,
    rawId: string,
    first: number | null | undefined,
  ): Promise<HitRow[]> {
    const semantic = this.app.semantic;
    if (!semantic.available || !semantic.provider)
      throw new InputError({ id: semantic.reason ?? 'Semantic search is not available' });
    const limit = first ?? 10;
    new FieldProblems()
      .check(
        Number.isInteger(limit) && limit >= 1 && limit <= SEARCH_FIRST_MAX,
        'first',
        `first must be 1-${SEARCH_FIRST_MAX}`,
      )
      .throwIfAny();
    const id = parseId(rawId, 'Item');
    if (!(await this.visible(viewer, type, id))) throw new NotFoundError('Item');
    const { model, dimensions } = semantic.provider;
    const [own] = await execRows<{ v: string }>(
      this.app.db,
      sql`select embedding::text as v from embeddings where entity_type = ${type} and entity_id = ${id} and model = ${model} and dimensions = ${dimensions} order by chunk limit 1`,
    );
    if (!own) return [];
    const wanted = SEARCHABLES;
    const rows = await withVectorScan(this.app.db, (tx) =>
      rankHits(
        tx,
        wanted,
        viewer.userId,
        { vector: { literal: own.v, dimensions, model, exclude: { type, id } } },
        limit,
      ),
    );
    return rows.map(toHit);
  }

  /** True when the viewer can see the item (as search would show it). */
  async visible(viewer: Viewer, type: SearchableType, id: string): Promise<boolean> {
    const s = searchableOf(type);
    if (!s) return false;
    const rows = await execRows(
      this.app.db,
      sql`select 1 from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${sql.raw(s.as)}.id = ${id} and ${s.visible(viewer.userId)}`,
    );
    return rows.length > 0;
  }

  async relate(viewer: Viewer, input: RelateInput): Promise<RelationRow> {
    const kind = input.kind.trim();
    new FieldProblems().check(KIND.test(kind), 'kind', 'kind is 1-40 characters: a-z, 0-9, _').throwIfAny();
    const fromId = parseId(input.fromId, 'Item');
    const toId = parseId(input.toId, 'Item');
    if (input.fromType === input.toType && fromId === toId)
      throw new InputError({ toId: 'An item cannot be linked to itself' });
    if (!(await this.visible(viewer, input.fromType, fromId)) || !(await this.visible(viewer, input.toType, toId)))
      throw new NotFoundError('Item');
    const values = { userId: viewer.userId, fromType: input.fromType, fromId, toType: input.toType, toId, kind };
    const max = this.app.config.RELATIONS_MAX;
    if ((await countWhere(this.app.db, relations, eq(relations.userId, viewer.userId))) >= max)
      throw new InputError({ kind: `At most ${max} links; remove some first` });
    try {
      const [row] = await this.app.db.insert(relations).values(values).returning();
      return row!;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Linking again returns the existing link.
      const [row] = await this.app.db
        .select()
        .from(relations)
        .where(
          and(
            eq(relations.userId, viewer.userId),
            eq(relations.fromType, input.fromType),
            eq(relations.fromId, fromId),
            eq(relations.toType, input.toType),
            eq(relations.toId, toId),
            eq(relations.kind, kind),
          ),
        );
      if (!row) throw new AppError(ErrorCode.CONFLICT, 'The link changed meanwhile; try again');
      return row;
    }
  }

  async unrelate(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db
      .delete(relations)
      .where(and(eq(relations.id, parseId(id, 'Relation')), eq(relations.userId, viewer.userId)))
      .returning({ id: relations.id });
    if (!row) throw new NotFoundError('Relation');
    return row.id;
  }

  /** The viewer's links of an item, both directions, whose other end the viewer still sees. */
  async related(
    viewer: Viewer,
    type: SearchableType,
    rawId: string,
  ): Promise<Array<RelationRow & { otherType: SearchableType; otherId: string }>> {
    const id = parseId(rawId, 'Item');
    if (!(await this.visible(viewer, type, id))) throw new NotFoundError('Item');
    const rows = await this.app.db
      .select()
      .from(relations)
      .where(
        and(
          eq(relations.userId, viewer.userId),
          or(
            and(eq(relations.fromType, type), eq(relations.fromId, id)),
            and(eq(relations.toType, type), eq(relations.toId, id)),
          ),
        ),
      )
      .orderBy(relations.createdAt, relations.id)
      .limit(200);
    return rows.map((r) =>
      r.fromType === (type as string) && r.fromId === id
        ? { ...r, otherType: r.toType as SearchableType, otherId: r.toId }
        : { ...r, otherType: r.fromType as SearchableType, otherId: r.fromId },
    );
  }
}

function toHit(r: RawHit): HitRow {
  return {
    type: r.type,
    id: r.id,
    title: r.title,
    snippet: r.snippet.replace(/\s+/g, ' ').trim(),
    score: Number(r.score),
    matchedText: r.matched_text,
    matchedSemantic: r.matched_semantic,
    own: r.own === true,
  };
}

/** pgvector's HNSW scan set for filtered queries: keep scanning until enough rows pass the filter. */
function withVectorScan<T>(db: Db, run: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)`,
    );
    return run(tx);
  });
}

/** The viewer's items with vectors of the current model, and those waiting for (re-)embedding. */
async function indexCounts(
  db: Db,
  viewerId: string,
  model: string,
  dimensions: number,
): Promise<{ indexed: number; pending: number }> {
  const mine = (alias: string) =>
    sql.join(
      SEARCHABLES.map(
        (s) =>
          sql`(${sql.raw(alias)}.type = ${s.type} and exists (select 1 from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${sql.raw(s.as)}.id = ${sql.raw(alias)}.id and ${s.visible(viewerId)}))`,
      ),
      sql` or `,
    );
  const [row] = await execRows<{ indexed: number; pending: number }>(
    db,
    sql`select
      (select count(*)::int from (select distinct entity_type::text as type, entity_id as id from embeddings where model = ${model} and dimensions = ${dimensions}) i where ${mine('i')}) as indexed,
      (select count(*)::int from (select entity_type::text as type, entity_id as id from embed_pending where not failed) p where ${mine('p')}) as pending`,
  );
  return { indexed: Number(row?.indexed ?? 0), pending: Number(row?.pending ?? 0) };
}
