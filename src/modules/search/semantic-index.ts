import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, execRows } from '../../db/client.js';
import type { Config } from '../../shared/config.js';
import type { Job } from '../../shared/jobs.js';
import { EmbeddingsProvider, vectorLiteral } from './embeddings.provider.js';
import { searchableOf } from './searchables.js';
import type { SearchableType } from './search.type.js';

/** Whether semantic search works here, and why not. */
export interface SemanticState {
  available: boolean;
  reason: string | null;
  provider: EmbeddingsProvider | null;
  /** The embeddings table exists (pgvector): items are queued for embedding even without a provider. */
  indexable: boolean;
}

export const NO_PGVECTOR =
  'This database has no pgvector extension (on a PostgreSQL server, install it, e.g. the pgvector/pgvector image)';
export const NO_PROVIDER = 'No embeddings provider is configured (EMBEDDINGS_BASE_URL)';
/** Characters per chunk of a long text, and how much consecutive chunks share. */
const CHUNK = 1500;
const OVERLAP = 200;
const MAX_CHUNKS = 32;

/**
 * At start: pgvector and the embeddings table (made here too when the extension arrived after the
 * migrations), the HNSW index (cosine) for the configured dimensions, and a re-embedding mark for
 * every item embedded with another model or size.
 */
export async function prepareSemanticIndex(db: Db, config: Config, logger: Logger): Promise<SemanticState> {
  const provider = config.EMBEDDINGS_BASE_URL
    ? new EmbeddingsProvider(
        config.EMBEDDINGS_BASE_URL,
        config.EMBEDDINGS_API_KEY,
        config.EMBEDDINGS_MODEL,
        config.EMBEDDINGS_DIMENSIONS,
        config.EMBEDDINGS_TIMEOUT_MS,
      )
    : null;
  const [found] = await execRows<{ table: boolean }>(
    db,
    sql`select to_regclass('public.embeddings') is not null as table`,
  );
  let has = { table: Boolean(found?.table), extension: false };
  // Reading the available extensions is slow on PGlite: only when the table is not there.
  if (!has.table)
    [has = has] = await execRows<{ table: boolean; extension: boolean }>(
      db,
      sql`select false as table, exists (select 1 from pg_available_extensions where name = 'vector') as extension`,
    );
  if (!has.table && has.extension) {
    try {
      await db.execute(sql`create extension if not exists vector`);
      await db.execute(
        sql.raw(
          `create table if not exists embeddings (entity_type searchable_type not null, entity_id uuid not null, chunk integer not null, content_hash text not null, model text not null, dimensions integer not null, embedding vector not null, updated_at timestamp (3) with time zone default now() not null, primary key (entity_type, entity_id, chunk))`,
        ),
      );
      has = { table: true, extension: true };
    } catch (err) {
      logger.warn({ err }, 'pgvector is installed but could not be enabled: semantic search is off');
    }
  }
  if (!has.table) return { available: false, reason: NO_PGVECTOR, provider: null, indexable: false };
  if (!provider) return { available: false, reason: NO_PROVIDER, provider: null, indexable: true };
  const d = config.EMBEDDINGS_DIMENSIONS;
  await db.execute(
    sql.raw(
      `create index if not exists embeddings_hnsw_${d} on embeddings using hnsw ((embedding::vector(${d})) vector_cosine_ops) where dimensions = ${d}`,
    ),
  );
  // Items embedded with another model or size are marked for embedding again (embed-queue.ts).
  await db.execute(sql`insert into embed_pending (entity_type, entity_id)
    select distinct entity_type, entity_id from embeddings where model <> ${provider.model} or dimensions <> ${d}
    on conflict (entity_type, entity_id) do update set version = embed_pending.version + 1, scheduled = false, attempts = 0, last_error = null, failed = false`);
  return { available: true, reason: null, provider, indexable: true };
}

/** A long text as overlapping chunks cut at whitespace (at most MAX_CHUNKS). */
export function chunksOf(text: string): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= CHUNK) return clean ? [clean] : [];
  const out: string[] = [];
  let start = 0;
  while (start < clean.length && out.length < MAX_CHUNKS) {
    let end = Math.min(clean.length, start + CHUNK);
    if (end < clean.length) {
      const space = clean.lastIndexOf(' ', end);
      if (space > start + CHUNK / 2) end = space;
    }
    out.push(clean.slice(start, end).trim());
    if (end >= clean.length) break;
    start = Math.max(end - OVERLAP, start + 1);
  }
  return out;
}

/** Texts per provider request. */
const PER_REQUEST = 64;

/**
 * The `embed` jobs, a claimed batch at a time: each item's text in chunks; chunks whose text, model
 * and size are unchanged are not sent again; the changed chunks of the whole batch go to the
 * provider together; an item gone meanwhile loses its vectors. A provider failure fails the batch
 * (each job is retried with backoff).
 */
export function embedJobs(db: Db, provider: EmbeddingsProvider) {
  return async (jobs: Job[], signal: AbortSignal): Promise<Array<Error | null>> => {
    // Reads for the whole batch: one statement per type for the texts, one for the stored hashes.
    const items = jobs.map((job) => ({ type: job.payload.type as SearchableType, id: String(job.payload.id) }));
    const texts = new Map<string, string>();
    for (const type of new Set(items.map((i) => i.type))) {
      const s = searchableOf(type);
      const ids = items.filter((i) => i.type === type).map((i) => i.id);
      if (!s) continue;
      for (const r of await execRows<{ id: string; text: string }>(
        db,
        sql`select ${sql.raw(s.as)}.id, ${s.embed} as text from ${sql.raw(s.table)} ${sql.raw(s.as)} where ${sql.raw(s.as)}.id = any(${sql.param(ids)}::uuid[])`,
      )) {
        texts.set(`${type}:${r.id}`, r.text);
      }
    }
    const hashes = new Map<string, Map<number, string>>();
    for (const r of await execRows<{ type: string; id: string; chunk: number; content_hash: string }>(
      db,
      sql`select entity_type::text as type, entity_id as id, chunk, content_hash from embeddings where entity_id = any(${sql.param(items.map((i) => i.id))}::uuid[])`,
    )) {
      const key = `${r.type}:${r.id}`;
      hashes.set(key, (hashes.get(key) ?? new Map<number, string>()).set(Number(r.chunk), r.content_hash));
    }
    const gone = items.filter((i) => !texts.has(`${i.type}:${i.id}`));
    if (gone.length)
      await db.execute(
        sql`delete from embeddings where (entity_type::text || ':' || entity_id) = any(${sql.param(gone.map((g) => `${g.type}:${g.id}`))}::text[])`,
      );
    const work = items.map(({ type, id }) => {
      const text = texts.get(`${type}:${id}`);
      if (text === undefined) return null;
      const chunks = chunksOf(text);
      const digests = chunks.map((c) =>
        createHash('sha256').update(`${provider.model}\n${provider.dimensions}\n${c}`).digest('base64url'),
      );
      const have = hashes.get(`${type}:${id}`) ?? new Map<number, string>();
      return {
        type,
        id,
        chunks,
        hashes: digests,
        changed: chunks.map((_, i) => i).filter((i) => have.get(i) !== digests[i]),
        stored: have.size,
      };
    });
    const changedTexts = work.flatMap((w) => (w ? w.changed.map((i) => w.chunks[i]!) : []));
    const vectors: number[][] = [];
    for (let i = 0; i < changedTexts.length; i += PER_REQUEST)
      vectors.push(...(await provider.embed(changedTexts.slice(i, i + PER_REQUEST), signal)));
    let next = 0;
    for (const w of work) {
      if (!w) continue;
      const mine = w.changed.map((i) => ({ i, v: vectors[next++] }));
      if (mine.length === 0 && w.stored <= w.chunks.length) continue;
      await db.transaction(async (tx) => {
        for (const { i, v } of mine) {
          await tx.execute(sql`insert into embeddings (entity_type, entity_id, chunk, content_hash, model, dimensions, embedding)
            values (${w.type}, ${w.id}, ${i}, ${w.hashes[i]}, ${provider.model}, ${provider.dimensions}, ${vectorLiteral(v!)}::vector)
            on conflict (entity_type, entity_id, chunk) do update set content_hash = excluded.content_hash, model = excluded.model, dimensions = excluded.dimensions, embedding = excluded.embedding, updated_at = now()`);
        }
        if (w.stored > w.chunks.length)
          await tx.execute(
            sql`delete from embeddings where entity_type = ${w.type} and entity_id = ${w.id} and chunk >= ${w.chunks.length}`,
          );
      });
    }
    return jobs.map(() => null);
  };
}
