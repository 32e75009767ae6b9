import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDb, execRows } from '../../src/db/client.js';
import { type Account, type GqlClient, createClient } from '../helpers/client.js';
import { sleep, waitFor } from '../helpers/ws.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type Proxy, startProxy } from './proxy.js';
import { type Replica, startReplica } from './replica.js';

/**
 * A network that drops a replica's connections while requests are on them, again and again. Each
 * drop may leave a write buffered for a socket that is gone; postgres.js 3.4.9 then either throws
 * from a timer (the process ends) or keeps that pooled connection from ever writing again (its
 * requests time out for good). Orbit patches it (patches/postgres+3.4.9.patch): the replica lives
 * and, once the network is back, every connection of its pool serves again.
 */
let pg: Cluster;
let proxy: Proxy;
let replica: Replica;
let client: GqlClient;
let a: Account;
const teardown = new Teardown();
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  proxy = await startProxy(pg.port);
  const url = pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`);
  replica = teardown.first(await startReplica(url, { env: { DB_DEADLINE_MS: '2000', DB_POOL_MAX: '6' } }));
  client = createClient(`${replica.url}/graphql`);
  a = await client.register();
}, 90_000);
afterAll(async () => {
  await teardown.run();
  await proxy.close();
});

const CREATE = `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`;
const LISTS = `{ taskLists { id } }`;

describe('connections dropped under load', () => {
  it('leave a replica that is up and whose whole pool answers again once the network is back', async () => {
    let stop = false;
    let exited: number | null | undefined;
    void replica.exited.then((code) => (exited = code));
    // Eight clients writing and reading without pause: every pooled connection is busy at each drop.
    const load = Array.from({ length: 8 }, async (_, i) => {
      for (let n = 0; !stop; n++)
        await (
          i % 2
            ? client.gql(LISTS, {}, { token: a.token })
            : client.gql(CREATE, { n: `l${i}-${n}` }, { token: a.token })
        ).catch(() => {});
    });
    // Five short drops under that load.
    for (let round = 0; round < 5; round++) {
      await sleep(400);
      proxy.cut();
      await sleep(300);
      proxy.restore();
    }
    stop = true;
    await Promise.all(load);
    // Then a partition of 4 s, with a request every 100 ms: each of them fails to connect.
    proxy.cut();
    for (let i = 0; i < 40; i++) {
      void client.gql(LISTS, {}, { token: a.token }).catch(() => {});
      await sleep(100);
    }
    proxy.restore();
    const restored = Date.now();
    // Every connection serves: twelve requests at once (twice the pool) all succeed, soon after the
    // network is back, not after postgres.js's default reconnect backoff (up to 20 s once a few
    // attempts failed), during which a request given to a waiting connection fails its deadline.
    const allAnswer = async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => client.gql(LISTS, {}, { token: a.token })));
      return answers.every((r) => r.status === 200 && !r.errors);
    };
    while (exited === undefined && !(await allAnswer().catch(() => false)) && Date.now() - restored < 30_000)
      await sleep(50);
    if (exited !== undefined) throw new Error(`the replica exited (${exited}):\n${replica.output().slice(-2000)}`);
    const ms = Date.now() - restored;
    console.log(`the whole pool answered ${ms} ms after the network came back`);
    expect(ms).toBeLessThan(3_000);
    expect(exited).toBeUndefined();
    expect(replica.output()).not.toMatch(/TypeError|uncaught/i);
  }, 60_000);
});

describe('a transaction whose connection dropped', () => {
  it('runs none of its later statements, even on the connection the pool made again', async () => {
    await pg.sql(`create table if not exists drops (step text)`);
    const url = pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`);
    // One connection: the pool's next query reconnects the very connection the transaction was on.
    const database = await createDb({
      DATABASE_URL: url,
      DB_POOL_MAX: 1,
      DB_STATEMENT_TIMEOUT_MS: 5000,
      DB_DEADLINE_MS: 2000,
      pgliteDir: undefined,
    });
    try {
      let resumed!: () => void;
      const paused = new Promise<void>((r) => (resumed = r));
      let later: unknown = 'not run';
      let first = false;
      const outcome = database.db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into drops values ('first')`);
          first = true;
          // Work outside the database (a hash, a call to a provider) while the network drops.
          await paused;
          later = await tx.execute(sql`insert into drops values ('second')`).then(
            () => 'committed on its own',
            // drizzle names the statement and keeps the driver's error as the cause.
            (e: Error) => (e.cause instanceof Error ? e.cause.message : e.message),
          );
        })
        .then(
          () => 'committed',
          (e: Error) => e.message,
        );
      // Cut once the body is in its pause (a fixed sleep was too short on a loaded machine: the cut
      // then came before BEGIN, the body never ran, and its later statement never settled).
      await waitFor(() => first, 'the first insert', 10_000);
      proxy.cut();
      expect(await outcome).not.toBe('committed');
      proxy.restore();
      // The pool serves again on a fresh session; then the transaction's body goes on.
      await waitFor(async () => (await database.ping(1000)) === true, 'the pool to reconnect', 10_000);
      resumed();
      await waitFor(() => later !== 'not run', 'the later statement to settle', 10_000);
      expect(later).toMatch(/transaction/i);
      const rows = await execRows<{ step: string }>(database.db, sql`select step from drops`);
      expect(rows).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
