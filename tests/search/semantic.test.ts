import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { DIMENSIONS, startFakeEmbeddings } from '../helpers/fake-embeddings.js';
import { loadConfig } from '../../src/shared/config.js';
import { createServer } from '../../src/http/server.js';
import { createClient } from '../helpers/client.js';
import { type TestServer, freshDatabase, startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';
import { taskList } from '../assistant/agent-helpers.js';
import { closeAll } from '../helpers/teardown.js';

/** The PostgreSQL server of these tests has no pgvector; PGlite has it built in. */
const withPgvector = !process.env.TEST_DATABASE_URL;

let s: TestServer;
let emb: Awaited<ReturnType<typeof startFakeEmbeddings>>;
beforeAll(async () => {
  emb = await startFakeEmbeddings();
  s = await startServer({
    EMBEDDINGS_BASE_URL: emb.url,
    EMBEDDINGS_MODEL: 'vocab-1',
    EMBEDDINGS_DIMENSIONS: String(DIMENSIONS),
    EMBEDDINGS_TIMEOUT_MS: '500',
    JOBS_POLL_MS: '500',
    JOBS_MAX_ATTEMPTS: '2',
    LOG_LEVEL: 'error',
  });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(emb);
});
beforeEach(() => emb.set('ok'));

const SEARCH = `query S($q: String!, $m: SearchMode, $t: [SearchableType!]) { search(query: $q, mode: $m, types: $t) { type id title matchedText matchedSemantic } }`;
const STATUS = `{ semanticIndexStatus { available reason model dimensions indexed pending } }`;
const search = async (who: Account, q: string, m?: string) =>
  (await s.ok(SEARCH, { q, m: m ?? null }, { token: who.token })).search as any[];
const status = async (who: Account) => (await s.ok(STATUS, {}, { token: who.token })).semanticIndexStatus;
const indexed = (who: Account) => waitFor(async () => (await status(who)).pending === 0, 'the embedding jobs', 15_000);

/**
 * Both branches run everywhere: with pgvector (PGlite) each test checks semantic search; on the
 * PostgreSQL server without it, the same test checks the fallback the contract asks for.
 */
async function expectTextFallback(a: Account, found: { q: string; id: string }, missed: string) {
  expect(await status(a)).toMatchObject({
    available: false,
    reason: expect.stringContaining('pgvector'),
    model: null,
    indexed: 0,
    pending: 0,
  });
  expect((await search(a, found.q)).map((h) => [h.id, h.matchedText, h.matchedSemantic])).toEqual([
    [found.id, true, false],
  ]);
  expect(await search(a, missed)).toEqual([]);
  expect((await s.fail(SEARCH, { q: missed, m: 'SEMANTIC' }, { token: a.token })).extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    fields: { mode: expect.stringContaining('pgvector') },
  });
  // Nothing is queued and the provider is never asked: there is no index to fill.
  const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
    s.server.app.db,
    sql`select ((select count(*) from embed_pending) + (select count(*) from pgboss.job where name = 'embed'))::int as n`,
  );
  expect(n).toBe(0);
  expect(emb.inputs).toEqual([]);
}

describe(
  withPgvector ? 'semantic search (PGlite, pgvector)' : 'semantic search on a PostgreSQL server without pgvector',
  () => {
    it('finds by meaning: a query sharing no word with a document finds it through a synonym', async () => {
      const a = await s.register();
      const doc = (
        await s.ok(
          `mutation { createDocument(input: { title: "Orthodontist", content: "Braces adjustment every six weeks." }) { id } }`,
          {},
          { token: a.token },
        )
      ).createDocument.id;
      await s.ok(
        `mutation { createDocument(input: { title: "Spring", content: "Plant the tulips before March." }) { id } }`,
        {},
        { token: a.token },
      );
      if (!withPgvector) return expectTextFallback(a, { q: 'braces', id: doc }, 'teeth');
      await indexed(a);
      expect(await status(a)).toEqual({
        available: true,
        reason: null,
        model: 'vocab-1',
        dimensions: DIMENSIONS,
        indexed: 2,
        pending: 0,
      });
      // "teeth" is in neither text: TEXT finds nothing, SEMANTIC and HYBRID find the orthodontist.
      expect(await search(a, 'teeth', 'TEXT')).toEqual([]);
      expect((await search(a, 'teeth', 'SEMANTIC')).map((h) => [h.id, h.matchedText, h.matchedSemantic])).toEqual([
        [doc, false, true],
      ]);
      const hybrid = await search(a, 'teeth');
      expect(hybrid.map((h) => h.id)).toEqual([doc]);
      // HYBRID fuses: a text match that also matches in meaning ranks first and says both.
      const both = await search(a, 'braces');
      expect(both[0]).toMatchObject({ id: doc, matchedText: true, matchedSemantic: true });
    });

    it('finds tickets by meaning, for members of their board only', async () => {
      const a = await s.register();
      const stranger = await s.register();
      const board = (
        await s.ok(`mutation { createBoard(input: { name: "Clinic", key: "CLN" }) { id } }`, {}, { token: a.token })
      ).createBoard.id;
      const ticket = (
        await s.ok(
          `mutation T($b: ID!) { createTicket(input: { boardId: $b, title: "Orthodontist", description: "Braces adjustment every six weeks." }) { id } }`,
          { b: board },
          { token: a.token },
        )
      ).createTicket.id;
      if (!withPgvector) return expectTextFallback(a, { q: 'braces', id: ticket }, 'teeth');
      await indexed(a);
      expect(await search(a, 'teeth', 'TEXT')).toEqual([]);
      expect((await search(a, 'teeth', 'SEMANTIC')).map((h) => [h.type, h.id, h.matchedSemantic])).toEqual([
        ['TICKET', ticket, true],
      ]);
      expect(await search(stranger, 'teeth', 'SEMANTIC')).toEqual([]);
    });

    it('keeps items fresh: an edited task is found by its new meaning, an unchanged text is not sent again, a delete removes its vectors', async () => {
      const a = await s.register();
      const listId = await taskList(s, a);
      const task = (
        await s.ok(
          `mutation T($l: ID!) { createTask(input: { listId: $l, title: "Call the garage about the tyres" }) { id } }`,
          { l: listId },
          { token: a.token },
        )
      ).createTask.id;
      if (!withPgvector) {
        await s.ok(
          `mutation U($id: ID!) { updateTask(id: $id, input: { title: "Pay the dentist invoice" }) { id } }`,
          { id: task },
          { token: a.token },
        );
        return expectTextFallback(a, { q: 'invoice', id: task }, 'tyres');
      }
      await indexed(a);
      expect((await search(a, 'vehicle', 'SEMANTIC')).map((h) => h.id)).toEqual([task]);
      await s.ok(
        `mutation U($id: ID!) { updateTask(id: $id, input: { title: "Pay the dentist invoice" }) { id } }`,
        { id: task },
        { token: a.token },
      );
      await indexed(a);
      expect(await search(a, 'vehicle', 'SEMANTIC')).toEqual([]);
      expect((await search(a, 'molar', 'SEMANTIC')).map((h) => h.id)).toEqual([task]);
      // Touching the task without changing its text: the job runs, the provider is not called.
      const before = emb.inputs.flat().filter((t) => t.includes('dentist invoice')).length;
      await s.ok(
        `mutation U($id: ID!) { updateTask(id: $id, input: { title: "Pay the dentist invoice", notes: null }) { id } }`,
        { id: task },
        { token: a.token },
      );
      await indexed(a);
      expect(emb.inputs.flat().filter((t) => t.includes('dentist invoice')).length).toBe(before);
      await s.ok(`mutation D($id: ID!) { deleteTask(id: $id) }`, { id: task }, { token: a.token });
      const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
        s.server.app.db,
        sql`select count(*)::int as n from embeddings where entity_id = ${task}`,
      );
      expect(n).toBe(0);
    });

    it("never returns another user's items by meaning; similar() uses the item's vector", async () => {
      const [a, b] = [await s.register(), await s.register()];
      await s.ok(
        `mutation { createDocument(input: { title: "Secret", content: "My tax return and bank details" }) { id } }`,
        {},
        { token: b.token },
      );
      const mine = (
        await s.ok(
          `mutation { createDocument(input: { title: "Budget", content: "Monthly budget and payment plan" }) { id } }`,
          {},
          { token: a.token },
        )
      ).createDocument.id;
      const invoice = (
        await s.ok(
          `mutation { createEvent(input: { title: "Pay the invoice", startsAt: "2026-12-05T10:00:00Z", endsAt: "2026-12-05T10:30:00Z" }) { id } }`,
          {},
          { token: a.token },
        )
      ).createEvent.id;
      await s.ok(
        `mutation { createDocument(input: { title: "Guitar", content: "Practise the song on the piano" }) { id } }`,
        {},
        { token: a.token },
      );
      if (!withPgvector) {
        expect(
          (
            await s.fail(
              `query S($id: ID!) { similar(type: DOCUMENT, id: $id) { id } }`,
              { id: mine },
              { token: a.token },
            )
          ).extensions?.code,
        ).toBe('BAD_USER_INPUT');
        return expectTextFallback(a, { q: 'budget', id: mine }, 'tax');
      }
      await indexed(a);
      await indexed(b);
      expect((await search(a, 'taxes', 'SEMANTIC')).map((h) => h.id).sort()).toEqual([mine, invoice].sort());
      const similar = (
        await s.ok(
          `query S($id: ID!) { similar(type: DOCUMENT, id: $id) { type id } }`,
          { id: mine },
          { token: a.token },
        )
      ).similar;
      expect(similar).toEqual([{ type: 'EVENT', id: invoice }]);
      expect(
        (
          await s.fail(
            `query S($id: ID!) { similar(type: DOCUMENT, id: $id) { id } }`,
            { id: mine },
            { token: b.token },
          )
        ).extensions?.code,
      ).toBe('NOT_FOUND');
    });

    it('a provider that fails, hangs or returns the wrong size: jobs retry then record the failure; search keeps working on text', async () => {
      for (const behaviour of ['http500', 'hang', 'wrong-dimensions'] as const) {
        const a = await s.register();
        emb.set(behaviour);
        const doc = (
          await s.ok(
            `mutation { createDocument(input: { title: "Flight", content: "Hotel and passport for the trip" }) { id } }`,
            {},
            { token: a.token },
          )
        ).createDocument.id;
        if (!withPgvector) {
          await expectTextFallback(a, { q: 'passport', id: doc }, 'travel');
          continue;
        }
        await waitFor(
          async () => {
            const [row] = await execRows<{ failed: boolean }>(
              s.server.app.db,
              sql`select failed from embed_pending where entity_id = ${doc}`,
            );
            return row?.failed === true;
          },
          `the job to fail (${behaviour})`,
          20_000,
        );
        const [job] = await execRows<{ attempts: number; last_error: string }>(
          s.server.app.db,
          sql`select attempts, last_error from embed_pending where entity_id = ${doc}`,
        );
        expect(job!.attempts).toBe(2);
        expect(job!.last_error).toMatch(
          behaviour === 'http500' ? /HTTP 500/ : behaviour === 'hang' ? /in time/ : /dimensions/,
        );
        // HYBRID answers by text while the provider is down.
        expect((await search(a, 'passport')).map((h) => [h.id, h.matchedText])).toEqual([[doc, true]]);
        if (behaviour === 'http500')
          expect((await s.fail(SEARCH, { q: 'passport', m: 'SEMANTIC' }, { token: a.token })).message).toMatch(
            /embeddings provider is unavailable/,
          );
        // Once it is back, an edit queues the item again and it is indexed.
        emb.set('ok');
        await s.ok(
          `mutation U($id: ID!) { updateDocument(id: $id, input: { content: "Hotel and passport for the trip." }) { id } }`,
          { id: doc },
          { token: a.token },
        );
        await indexed(a);
        expect((await search(a, 'travel', 'SEMANTIC')).map((h) => h.id)).toEqual([doc]);
      }
    });
  },
);

describe('the embedding queue', () => {
  it('keeps waiting items across a restart, and the next server with a provider indexes them', async () => {
    const db = await freshDatabase();
    const config = (extra: Record<string, string>) =>
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        JWT_SECRET: 'y'.repeat(64),
        JOBS_POLL_MS: '500',
        ...db.env,
        ...extra,
      });
    let server = await createServer(config({}));
    try {
      let client = createClient(`${await server.listen(0, '127.0.0.1')}/graphql`);
      const a = await client.register();
      const doc = (
        await client.ok(
          `mutation { createDocument(input: { title: "Orthodontist", content: "Braces adjustment" }) { id } }`,
          {},
          { token: a.token },
        )
      ).createDocument.id;
      const before = (await client.ok(STATUS, {}, { token: a.token })).semanticIndexStatus;
      await server.stop();
      server = await createServer(
        config({
          EMBEDDINGS_BASE_URL: emb.url,
          EMBEDDINGS_MODEL: 'vocab-1',
          EMBEDDINGS_DIMENSIONS: String(DIMENSIONS),
        }),
      );
      client = createClient(`${await server.listen(0, '127.0.0.1')}/graphql`);
      if (!withPgvector) {
        expect(before).toMatchObject({ available: false, reason: expect.stringContaining('pgvector'), pending: 0 });
        expect((await client.ok(SEARCH, { q: 'braces' }, { token: a.token })).search.map((h: any) => h.id)).toEqual([
          doc,
        ]);
        return;
      }
      // Without a provider the item waits (pending 1); after the restart with one, it is indexed.
      expect(before).toMatchObject({
        available: false,
        reason: expect.stringContaining('EMBEDDINGS_BASE_URL'),
        indexed: 0,
        pending: 1,
      });
      await waitFor(
        async () => (await client.ok(STATUS, {}, { token: a.token })).semanticIndexStatus.indexed === 1,
        'the item to be indexed',
        15_000,
      );
      expect(
        (await client.ok(SEARCH, { q: 'teeth', m: 'SEMANTIC' }, { token: a.token })).search.map((h: any) => h.id),
      ).toEqual([doc]);
    } finally {
      await server.stop();
      await db.drop();
    }
  });
});
