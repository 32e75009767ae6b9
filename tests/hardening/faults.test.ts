import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { createClient } from '../helpers/client.js';
import { freePort, runTs, waitForReady } from '../helpers/process.js';
import { type TestServer, freshDatabase, startServer } from '../helpers/server.js';
import { subscribed, untilLive, waitFor, wsClient } from '../helpers/ws.js';
import { createList, createTask, positions } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

describe('faults', () => {
  it('a failure between the statements of a mutation leaves no partial rows', async () => {
    const a = await s.register();
    const list = await createList(s, a, 'Atomic');
    await createTask(s, a, list, { title: 'kept' });
    // A trigger makes the activity insert (after the task insert, same transaction) fail.
    await execRows(
      s.server.app.db,
      sql.raw(`create or replace function orbit_test_boom() returns trigger language plpgsql as $$ begin
      if new.summary like '%boom%' then raise exception 'injected failure'; end if; return new; end $$`),
    );
    await execRows(
      s.server.app.db,
      sql.raw(
        `create trigger orbit_test_boom before insert on activities for each row execute function orbit_test_boom()`,
      ),
    );
    const e = await s.fail(
      `mutation C($l: ID!) { createTask(input: { listId: $l, title: "boom" }) { id } }`,
      { l: list },
      { token: a.token },
    );
    expect(e.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(e)).not.toMatch(/injected|insert/);
    expect((await positions(s, a, list)).length).toBe(1);
    const rows = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from tasks where title = 'boom'`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
    await execRows(s.server.app.db, sql.raw(`drop trigger orbit_test_boom on activities`));
  });

  it('recovers without a restart when the database drops its connections (server) or fails fast when it is gone (embedded)', async () => {
    const own = await startServer();
    try {
      const a = await own.register();
      const admin = process.env.TEST_DATABASE_URL;
      if (admin) {
        const ws = wsClient(own.url, { authorization: `Bearer ${a.token}` });
        const sub = ws.subscribe(`subscription { notificationAdded { title } }`);
        await subscribed(own, `notification:${a.userId}`);
        const dbName = new URL(own.server.app.config.DATABASE_URL!).pathname.slice(1);
        const killer = postgres(admin, { max: 1, onnotice: () => {} });
        await killer.unsafe(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${dbName}' and pid <> pg_backend_pid()`,
        );
        await killer.end();
        // Requests recover without a restart (the first may fail fast while the pool reconnects).
        await waitFor(
          async () => (await own.gql(`{ me { id } }`, {}, { token: a.token })).errors === undefined,
          'requests to succeed again',
        );
        // Each pooled connection that was cut fails once; readiness comes back without a restart.
        await waitFor(async () => (await fetch(`${own.url}/readyz`)).status === 200, '/readyz to answer 200 again');
        // The listener re-LISTENs: notifications written after the drop reach the subscriber again.
        const { createNotifications } = await import('../../src/modules/notifications/index.js');
        const seen = await untilLive(sub, () =>
          own.server.app.db.transaction((tx) =>
            createNotifications(tx, [{ userId: a.userId, kind: 'SECURITY_ALERT', title: 'after the drop' }]),
          ),
        );
        expect(sub.values[seen - 1].notificationAdded.title).toBe('after the drop');
        await ws.dispose();
      } else {
        await own.server.app.database.close();
        const started = Date.now();
        const res = await own.gql(`{ me { id } }`, {}, { token: a.token });
        expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        // Fails fast rather than waiting on a connection that will not come (generous for a busy machine).
        expect(Date.now() - started).toBeLessThan(5000);
        expect((await fetch(`${own.url}/readyz`)).status).toBe(503);
      }
    } finally {
      await own.close();
    }
  });

  it('SIGTERM lets a slow request finish; a second SIGTERM forces the exit', { timeout: 60_000 }, async () => {
    const llm = await startFakeLlm();
    llm.set('slow');
    const db = await freshDatabase();
    try {
      const start = async () => {
        const port = await freePort();
        const proc = runTs('src/main.ts', [], {
          ...db.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          LLM_BASE_URL: llm.url,
          LLM_TIMEOUT_MS: '1500',
          JWT_SECRET: 'x'.repeat(40),
          LOG_LEVEL: 'info',
        });
        await waitForReady(`http://127.0.0.1:${port}`);
        return { proc, client: createClient(`http://127.0.0.1:${port}/graphql`) };
      };
      const first = await start();
      const a = await first.client.register();
      const conv = (await first.client.ok(`mutation { createConversation { id } }`, {}, { token: a.token }))
        .createConversation.id;
      const SEND = `mutation S($c: ID!) { sendMessage(conversationId: $c, content: "slow one") { userMessage { id } } }`;
      const slow = first.client.gql(SEND, { c: conv }, { token: a.token });
      await waitFor(() => llm.requests.length === 1, 'the slow model call to start');
      first.proc.child.kill('SIGTERM');
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(answer.errors?.[0]?.message).toMatch(/did not answer in time/);
      expect(await first.proc.exited).toBe(0);

      const second = await start();
      const b = await second.client.register();
      const conv2 = (await second.client.ok(`mutation { createConversation { id } }`, {}, { token: b.token }))
        .createConversation.id;
      void second.client.gql(SEND, { c: conv2 }, { token: b.token }).catch(() => null);
      await waitFor(() => llm.requests.length === 2, 'the second slow model call to start');
      second.proc.child.kill('SIGTERM');
      // Signals are not queued: the second is sent once the first has been handled.
      await waitFor(() => second.proc.output().includes('shutting down'), 'the first SIGTERM to be handled');
      second.proc.child.kill('SIGTERM');
      // Exit code 1 is the forced exit: a drained shutdown would wait for the model's 1.5 s timeout and exit 0.
      expect(await second.proc.exited).toBe(1);
    } finally {
      await llm.close();
      await db.drop();
    }
  });

  it('a stop has a deadline: a request still running after SHUTDOWN_TIMEOUT_MS loses its connection and the stop ends', async () => {
    const llm = await startFakeLlm();
    llm.set('slow');
    const own = await startServer({ LLM_BASE_URL: llm.url, LLM_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '500' });
    try {
      const a = await own.register();
      const conv = (await own.ok(`mutation { createConversation { id } }`, {}, { token: a.token })).createConversation
        .id;
      const slow = own
        .gql(
          `mutation S($c: ID!) { sendMessage(conversationId: $c, content: "slow") { userMessage { id } } }`,
          { c: conv },
          { token: a.token },
        )
        .then(
          () => 'answered',
          () => 'connection closed',
        );
      await waitFor(() => llm.requests.length === 1, 'the slow model call to start');
      const started = Date.now();
      await own.server.stop();
      // Without the deadline this stop would wait for the model's 60 s timeout.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await slow).toBe('connection closed');
    } finally {
      await own.close();
      await llm.close();
    }
  });
});
