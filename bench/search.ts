import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { execRows } from '../src/db/client.js';
import { documents, events, journalEntries, listMembers, taskLists, tasks, users } from '../src/db/schema/index.js';
import { Passwords } from '../src/modules/accounts/index.js';
import { type BenchDatabase, gql, login, percentile, startServerProcess } from './lib.js';
import { BENCH_PASSWORD, benchEnv, withDatabase } from './seed.js';
import { handled } from '../tests/helpers/handled.js';

const DIMS = 128;
const MODEL = 'bench-vocab';
const USERS = Number(process.env.BENCH_SEARCH_USERS ?? 10);
const PER_USER = Number(process.env.BENCH_SEARCH_ITEMS ?? 10_000);
const QUERIES = 200;
const JOBS = 2000;

const CONCEPTS = [
  ['dentist', 'tooth', 'teeth', 'molar', 'crown', 'dental'],
  ['garden', 'plant', 'flower', 'tulip', 'soil', 'seeds'],
  ['money', 'invoice', 'bill', 'payment', 'tax', 'budget'],
  ['car', 'vehicle', 'tyre', 'mechanic', 'garage', 'engine'],
  ['music', 'guitar', 'song', 'piano', 'concert', 'band'],
  ['travel', 'flight', 'hotel', 'trip', 'passport', 'luggage'],
  ['school', 'homework', 'teacher', 'exam', 'lesson', 'class'],
  ['health', 'doctor', 'pharmacy', 'medicine', 'clinic', 'fever'],
];
const FILLER =
  'call check plan book order write send review finish start prepare clean fix buy read meet ask bring update sort move share print sign pay visit note idea week morning evening monday friday weekend home office family friend project report draft list form letter paper box room kitchen'.split(
    ' ',
  );
const CONCEPT_OF = new Map(CONCEPTS.flatMap((words, c) => words.map((w) => [w, c] as const)));

/** A deterministic pseudo-random unit vector per concept (or word): synonyms share a direction. */
const directions = new Map<string, number[]>();
function direction(key: string): number[] {
  let v = directions.get(key);
  if (!v) {
    const bytes = Buffer.concat(
      Array.from({ length: Math.ceil((DIMS * 4) / 32) }, (_, i) => createHash('sha256').update(`${key}:${i}`).digest()),
    );
    v = Array.from({ length: DIMS }, (_, i) => bytes.readInt32LE(i * 4) / 2 ** 31);
    directions.set(key, v);
  }
  return v;
}
/** The bench provider's embedding: concept words weigh 3, other words 1, normalised. */
export function embedText(text: string): number[] {
  const sum = new Array<number>(DIMS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const c = CONCEPT_OF.get(w);
    const d = direction(c === undefined ? `w:${w}` : `c:${c}`);
    const weight = c === undefined ? 1 : 3;
    for (let i = 0; i < DIMS; i++) sum[i]! += d[i]! * weight;
  }
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}
const literal = (v: number[]) => `[${v.map((x) => x.toFixed(5)).join(',')}]`;

let state = 42;
const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
function sentence(min: number, max: number): string {
  const n = min + Math.floor(rand() * (max - min));
  const concept = pick(CONCEPTS);
  return Array.from({ length: n }, () => (rand() < 0.25 ? pick(concept) : pick(FILLER))).join(' ');
}

export interface SearchBenchResult {
  db: string;
  items: number;
  userItems: number;
  /** Client-side latency through POST /graphql, ms. */
  text: { p50: number; p99: number };
  hybrid: { p50: number; p99: number };
  hybridSemantic: boolean;
  /** PGlite with pgvector: recall@10 of the HNSW index against exact search, and jobs per second. */
  recall?: { efSearch40: number; efSearch100: number; queries: number };
  indexBuildS?: number;
  jobsPerSecond?: number;
  /** TEXT search latency while the worker re-embeds (PGlite: the same one connection), ms. */
  textWhileEmbedding?: { p50: number; p99: number; n: number };
  seedS: number;
  errors: number;
}

/** The bench's embeddings provider (OpenAI-compatible), in this process. */
async function provider() {
  const server = createServer(
    handled(async (req, res) => {
      let raw = '';
      for await (const part of req) raw += part;
      const body = JSON.parse(raw) as { input: string[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: body.input.map((t, index) => ({ index, embedding: embedText(t) })) }));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

async function seed(db: BenchDatabase): Promise<{ email: string; vectors: boolean }> {
  const passwordHash = await new Passwords({ memoryCost: 19456, timeCost: 2, parallelism: 1 }).hash(BENCH_PASSWORD);
  return withDatabase(benchEnv(db.env), async ({ db: q }) => {
    const userRows = await q
      .insert(users)
      .values(
        Array.from({ length: USERS }, (_, i) => ({
          email: `search-${i}@bench.example`,
          passwordHash,
          emailVerifiedAt: new Date(),
        })),
      )
      .returning({ id: users.id });
    const [has] = await execRows<{ ok: boolean }>(q, sql`select to_regclass('public.embeddings') is not null as ok`);
    const batch = async <T>(
      rows: T[],
      insert: (part: T[]) => Promise<Array<{ id: string; text: string }>>,
      type: string,
    ) => {
      for (let i = 0; i < rows.length; i += 1000) {
        const made = await insert(rows.slice(i, i + 1000));
        if (has?.ok) {
          const values = made.map(
            (m) =>
              sql`(${type}::searchable_type, ${m.id}, 0, 'seed', ${MODEL}, ${DIMS}, ${literal(embedText(m.text))}::vector)`,
          );
          await q.execute(
            sql`insert into embeddings (entity_type, entity_id, chunk, content_hash, model, dimensions, embedding) values ${sql.join(values, sql`, `)}`,
          );
        }
      }
    };
    for (const [u, { id: userId }] of userRows.entries()) {
      const lists = await q
        .insert(taskLists)
        .values(Array.from({ length: 10 }, (_, l) => ({ ownerId: userId, name: `List ${l}`, position: l })))
        .returning({ id: taskLists.id });
      await q.insert(listMembers).values(lists.map((l) => ({ listId: l.id, userId, role: 'OWNER' as const })));
      const n = (share: number) => Math.round(PER_USER * share);
      await batch(
        Array.from({ length: n(0.4) }, (_, t) => ({
          listId: lists[t % 10]!.id,
          title: sentence(3, 8),
          notes: sentence(5, 25),
          position: Math.floor(t / 10),
          createdById: userId,
        })),
        async (part) =>
          (await q.insert(tasks).values(part).returning({ id: tasks.id, title: tasks.title, notes: tasks.notes })).map(
            (r) => ({ id: r.id, text: `${r.title}\n${r.notes}` }),
          ),
        'TASK',
      );
      await batch(
        Array.from({ length: n(0.2) }, () => ({
          ownerId: userId,
          title: sentence(2, 5),
          content: sentence(30, 120),
          wordCount: 60,
        })),
        async (part) =>
          (
            await q
              .insert(documents)
              .values(part)
              .returning({ id: documents.id, title: documents.title, content: documents.content })
          ).map((r) => ({ id: r.id, text: `${r.title}\n${r.content}` })),
        'DOCUMENT',
      );
      const types = ['MORNING_PAGES', 'DAILY_REFLECTION', 'WEEKLY_REVIEW'] as const;
      await batch(
        Array.from({ length: n(0.2) }, (_, i) => ({
          userId,
          type: types[i % 3]!,
          date: new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 3) * 86_400_000).toISOString().slice(0, 10),
          content: { text: sentence(20, 80) },
          wordCount: 40,
        })),
        async (part) =>
          (
            await q
              .insert(journalEntries)
              .values(part)
              .returning({ id: journalEntries.id, content: journalEntries.content })
          ).map((r) => ({ id: r.id, text: (r.content as { text: string }).text })),
        'JOURNAL_ENTRY',
      );
      await batch(
        Array.from({ length: n(0.2) }, (_, i) => ({
          organizerId: userId,
          title: sentence(2, 6),
          description: sentence(5, 20),
          location: pick(FILLER),
          startsAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
          endsAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + 1_800_000),
        })),
        async (part) =>
          (
            await q.insert(events).values(part).returning({
              id: events.id,
              title: events.title,
              description: events.description,
              location: events.location,
            })
          ).map((r) => ({ id: r.id, text: `${r.title}\n${r.description}\n${r.location}` })),
        'EVENT',
      );
      if (u === 0) console.log(JSON.stringify({ bench: 'search seed', db: db.kind, user: u, of: USERS }));
    }
    // The seeded vectors are already there: the marks the triggers left are not needed.
    await q.execute(sql`delete from embed_pending`);
    await q.execute(sql`analyze`);
    return { email: 'search-0@bench.example', vectors: Boolean(has?.ok) };
  });
}

/** recall@10 of the HNSW index against exact search over the same vectors (whole table). */
async function recall(db: BenchDatabase): Promise<{ recall: SearchBenchResult['recall']; indexBuildS: number }> {
  return withDatabase(benchEnv(db.env), async ({ db: q }) => {
    const started = performance.now();
    await q.execute(
      sql.raw(
        `create index if not exists embeddings_hnsw_${DIMS} on embeddings using hnsw ((embedding::vector(${DIMS})) vector_cosine_ops) where dimensions = ${DIMS}`,
      ),
    );
    const indexBuildS = (performance.now() - started) / 1000;
    const queries = Array.from({ length: 50 }, () => literal(embedText(sentence(2, 6))));
    // Distances, so that ties at the 10th place count as found (many texts share a vector here).
    const top = async (vector: string, exact: boolean, ef: number) =>
      q.transaction(async (tx) => {
        await tx.execute(sql`select set_config('hnsw.ef_search', ${String(ef)}, true)`);
        const d = sql.raw(String(DIMS));
        const rows = exact
          ? await execRows<{ dist: number }>(
              tx,
              sql`select embedding <=> ${vector}::vector as dist from embeddings where dimensions = ${DIMS} order by embedding <=> ${vector}::vector limit 10`,
            )
          : await execRows<{ dist: number }>(
              tx,
              sql`select embedding::vector(${d}) <=> ${vector}::vector(${d}) as dist from embeddings where dimensions = ${DIMS} order by embedding::vector(${d}) <=> ${vector}::vector(${d}) limit 10`,
            );
        return rows.map((r) => Number(r.dist));
      });
    const measure = async (ef: number) => {
      let hits = 0;
      for (const v of queries) {
        const exact = await top(v, true, ef);
        const tenth = exact.at(-1) ?? 0;
        // An index hit is right when it is as near as the exact 10th neighbour.
        hits += (await top(v, false, ef)).filter((dist) => dist <= tenth + 1e-6).length;
      }
      return hits / (queries.length * 10);
    };
    return {
      recall: { efSearch40: await measure(40), efSearch100: await measure(100), queries: queries.length },
      indexBuildS,
    };
  });
}

/**
 * Search over 100,000 items (10 users × 10,000: tasks, documents, journal entries, events), as one
 * of the users: TEXT and HYBRID latency through the API; on PGlite (pgvector) also the HNSW index's
 * recall@10 against exact search, and embedding jobs per second with a local provider.
 */
export async function searchBench(db: BenchDatabase): Promise<SearchBenchResult> {
  const started = performance.now();
  const seeded = await seed(db);
  const seedS = (performance.now() - started) / 1000;
  const r = seeded.vectors ? await recall(db) : null;
  let changed = 0;
  if (seeded.vectors) {
    // Work for the job worker: 2,000 of the user's documents change.
    changed = await withDatabase(
      benchEnv(db.env),
      async ({ db: q }) =>
        (
          await execRows(
            q,
            sql`update documents set content = content || ' again' where id in (select id from documents where owner_id = (select id from users where email = 'search-0@bench.example') limit ${JOBS}) returning id`,
          )
        ).length,
    );
  }
  const emb = await provider();
  const server = await startServerProcess(
    benchEnv({
      ...db.env,
      EMBEDDINGS_BASE_URL: emb.url,
      EMBEDDINGS_MODEL: MODEL,
      EMBEDDINGS_DIMENSIONS: String(DIMS),
      JOBS_POLL_MS: '100',
    }),
  );
  let errors = 0;
  try {
    const token = await login(server.url, seeded.email, BENCH_PASSWORD);
    const Q = `query S($q: String!, $m: SearchMode) { search(query: $q, mode: $m, first: 20) { type id title snippet score } }`;
    const query = () =>
      [pick(rand() < 0.5 ? pick(CONCEPTS) : FILLER), ...(rand() < 0.5 ? [pick(FILLER)] : [])].join(' ');
    const timed = async (mode: string) => {
      const t = performance.now();
      try {
        await gql(server.url, Q, { q: query(), m: mode }, token);
      } catch {
        errors++;
      }
      return performance.now() - t;
    };
    const summary = (times: number[]) => {
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p99: percentile(times, 99) };
    };
    let jobsPerSecond: number | undefined;
    let textWhileEmbedding: SearchBenchResult['textWhileEmbedding'];
    if (seeded.vectors) {
      const t0 = performance.now();
      const during: number[] = [];
      for (;;) {
        const s = (await gql(server.url, `{ semanticIndexStatus { pending } }`, {}, token)).semanticIndexStatus;
        if (s.pending === 0) break;
        during.push(await timed('TEXT'));
      }
      jobsPerSecond = changed / ((performance.now() - t0) / 1000);
      textWhileEmbedding = { ...summary(during), n: during.length };
    }
    const run = async (mode: string) => {
      const times: number[] = [];
      for (let i = 0; i < QUERIES + 20; i++) {
        const ms = await timed(mode);
        if (i >= 20) times.push(ms);
      }
      return summary(times);
    };
    const text = await run('TEXT');
    const hybrid = await run('HYBRID');
    return {
      db: db.kind,
      items: USERS * PER_USER,
      userItems: PER_USER,
      text,
      hybrid,
      hybridSemantic: seeded.vectors,
      recall: r?.recall,
      indexBuildS: r?.indexBuildS,
      jobsPerSecond,
      textWhileEmbedding,
      seedS,
      errors,
    };
  } finally {
    await server.stop();
    emb.server.close();
  }
}
