import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type GqlClient, createClient } from '../helpers/client.js';
import { waitFor, wsClient } from '../helpers/ws.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type Replica, startReplica } from './replica.js';

/**
 * Deadlines: PostgreSQL paused with SIGSTOP answers nothing, so its statement_timeout cannot help.
 * Requests fail with 503 SERVICE_UNAVAILABLE and Retry-After within the deadline instead of hanging,
 * /readyz says so within 1.5 s, and everything works again once it resumes, without a restart.
 */
let pg: Cluster;
let replica: Replica;
let client: GqlClient;
let a: Account;
let fresh: Account;
const teardown = new Teardown();
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  replica = teardown.first(
    await startReplica(pg.url, { env: { DB_STATEMENT_TIMEOUT_MS: '1000', DB_DEADLINE_MS: '2000', DB_POOL_MAX: '3' } }),
  );
  client = createClient(`${replica.url}/graphql`);
  a = await client.register();
  // Signed in but never seen by the replica's credential cache: its socket's check needs the database.
  fresh = await client.register();
}, 90_000);
afterAll(() => teardown.run());

const LISTS = `{ taskLists { id name } }`;
const CREATE = `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`;

/** Runs `work` and returns what it gave and how long it took. */
async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await work();
  return [value, Date.now() - started];
}

describe('PostgreSQL paused (SIGSTOP)', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After within the deadline, and recovers after SIGCONT', async () => {
    await client.ok(CREATE, { n: 'before' }, { token: a.token });
    pg.pause();
    try {
      // More requests than the pool has connections: the later ones wait for a connection, within the deadline too.
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          timed(() =>
            i % 2
              ? client.gql(CREATE, { n: `during ${i}` }, { token: a.token })
              : client.gql(LISTS, {}, { token: a.token }),
          ),
        ),
      );
      for (const [res, ms] of answers) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 5 });
        expect(JSON.stringify(res.errors)).not.toMatch(/select|insert|postgres/i);
        // The deadline is 2 s per wait (a connection, then the statement): well under the 4.5 s allowed.
        expect(ms).toBeLessThan(4_500);
      }
      const [ready, readyMs] = await timed(() => fetch(`${replica.url}/readyz`));
      expect(ready.status).toBe(503);
      expect(readyMs).toBeLessThan(2_500);
      // A WebSocket whose connection_init needs the database is told to retry later (1013), in time.
      const [closed, wsMs] = await timed(async () => {
        const ws = wsClient(replica.url, { authorization: `Bearer ${fresh.token}` });
        ws.subscribe(`subscription { notificationAdded { id } }`);
        return ws.closed;
      });
      expect(closed).toMatchObject({ code: 1013 });
      expect(wsMs).toBeLessThan(4_500);
      // The process itself is alive.
      expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
    } finally {
      pg.resume();
    }
    await waitFor(async () => (await fetch(`${replica.url}/readyz`)).status === 200, '/readyz to recover', 15_000);
    await waitFor(
      async () => (await client.gql(LISTS, {}, { token: a.token })).status === 200,
      'queries to recover',
      15_000,
    );
    const names = (await client.ok(LISTS, {}, { token: a.token })).taskLists.map((l: any) => l.name);
    // What was refused is not half-done: each list either exists whole or not at all, and "before" is kept.
    expect(names).toContain('before');
    await client.ok(CREATE, { n: 'after' }, { token: a.token });
    expect((await client.ok(LISTS, {}, { token: a.token })).taskLists.map((l: any) => l.name)).toContain('after');
  });
});
