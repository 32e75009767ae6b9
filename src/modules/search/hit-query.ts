import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, execRows } from '../../db/client.js';
import type { Searchable } from './searchables.js';
import type { SearchableType } from './search.type.js';

/** Reciprocal rank fusion's constant: a hit's fused score is the sum of 1 / (K + its rank in each list). */
export const RRF_K = 60;
/** Candidates taken from each ranking before fusion. */
const CANDIDATES = 100;
/** Vector hits farther than this (cosine distance) are not related enough to show. */
export const MAX_DISTANCE = 0.8;

export interface RawHit {
  type: SearchableType;
  id: string;
  score: number;
  title: string;
  snippet: string;
  own: boolean;
  matched_text: boolean;
  matched_semantic: boolean;
}

export interface Ranking {
  text?: string;
  vector?: { literal: string; dimensions: number; model: string; exclude?: { type: SearchableType; id: string } };
}

/** Each type's candidates by full text: rank 1 is the best ts_rank. */
function textRanked(wanted: Searchable[], viewerId: string): SQL {
  const q = sql`(select q from q)`;
  const union = sql.join(
    wanted.map(
      (s) =>
        sql`(select ${s.type}::text as type, ${sql.raw(s.as)}.id, ts_rank(${sql.raw(s.as)}.search, ${q}) as s from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${s.visible(viewerId)} and ${sql.raw(s.as)}.search @@ ${q})`,
    ),
    sql` union all `,
  );
  return sql`select type, id, s, row_number() over (order by s desc, id) as r from (${union}) u order by s desc, id limit ${CANDIDATES}`;
}

/** Chunks nearest to the vector among the items the viewer sees (HNSW, iterative scan), best chunk per item. */
function vectorRanked(wanted: Searchable[], viewerId: string, v: NonNullable<Ranking['vector']>): SQL {
  const d = sql.raw(String(v.dimensions));
  const visible = sql.join(
    wanted.map(
      (s) =>
        sql`(emb.entity_type = ${s.type} and exists (select 1 from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${sql.raw(s.as)}.id = emb.entity_id and ${s.visible(viewerId)}))`,
    ),
    sql` or `,
  );
  const notSelf = v.exclude
    ? sql` and not (emb.entity_type = ${v.exclude.type} and emb.entity_id = ${v.exclude.id})`
    : sql``;
  return sql`select type, id, min(dist) as dist, row_number() over (order by min(dist), id) as r from (
      select emb.entity_type::text as type, emb.entity_id as id, emb.embedding::vector(${d}) <=> ${v.literal}::vector(${d}) as dist
      from embeddings emb where emb.dimensions = ${v.dimensions} and emb.model = ${v.model} and (${visible})${notSelf}
      order by emb.embedding::vector(${d}) <=> ${v.literal}::vector(${d}) limit ${CANDIDATES}
    ) c where dist <= ${MAX_DISTANCE} group by type, id`;
}

/**
 * Hits in one statement: the text ranking, the vector ranking, or both fused by reciprocal rank;
 * then title, plain snippet and authorship for the `first` best only (ts_headline re-parses the text).
 */
export async function rankHits(
  q: Queryable,
  wanted: Searchable[],
  viewerId: string,
  ranking: Ranking,
  first: number,
): Promise<RawHit[]> {
  const ctes: SQL[] = [sql`q as (select websearch_to_tsquery('english', ${ranking.text ?? ''}) as q)`];
  if (ranking.text !== undefined) ctes.push(sql`tr as (${textRanked(wanted, viewerId)})`);
  if (ranking.vector) ctes.push(sql`vr as (${vectorRanked(wanted, viewerId, ranking.vector)})`);
  const fused =
    ranking.text !== undefined && ranking.vector
      ? sql`select coalesce(tr.type, vr.type) as type, coalesce(tr.id, vr.id) as id, coalesce(1.0 / (${RRF_K} + tr.r), 0) + coalesce(1.0 / (${RRF_K} + vr.r), 0) as score,
               tr.r is not null as matched_text, vr.r is not null as matched_semantic from tr full outer join vr on tr.type = vr.type and tr.id = vr.id`
      : ranking.vector
        ? sql`select type, id, 1 - dist as score, false as matched_text, true as matched_semantic from vr`
        : sql`select type, id, s as score, true as matched_text, false as matched_semantic from tr`;
  ctes.push(sql`h as (select * from (${fused}) f order by score desc, id limit ${first})`);
  const query = sql`(select q from q)`;
  const details = wanted.map(
    (s, i) =>
      sql`left join lateral (select ${s.title} as title, ts_headline('english', ${s.text}, ${query}, 'StartSel="", StopSel="", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') as snippet, ${s.author} = ${viewerId} as own from ${sql.raw(s.table)} ${sql.raw(s.as)} where h.type = ${s.type} and ${sql.raw(s.as)}.id = h.id) ${sql.raw(`x${i}`)} on true`,
  );
  const pick = (field: string) => sql.raw(`coalesce(${wanted.map((_, i) => `x${i}.${field}`).join(', ')})`);
  return execRows<RawHit>(
    q,
    sql`with ${sql.join(ctes, sql`, `)}
        select h.type, h.id, h.score, h.matched_text, h.matched_semantic, ${pick('title')} as title, ${pick('snippet')} as snippet, ${pick('own')} as own
        from h ${sql.join(details, sql` `)} order by h.score desc, h.id`,
  );
}
