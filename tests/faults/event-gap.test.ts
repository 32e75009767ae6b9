import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type GqlClient, createClient } from '../helpers/client.js';
import { waitFor, wsClient } from '../helpers/ws.js';
import { createList, createTask, share } from '../tasks/helpers.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type NatsServer, startNats } from './nats.js';
import { type Proxy, startProxy } from './proxy.js';
import { type Replica, startReplica } from './replica.js';

/**
 * Events that survive a gap: replica A reaches PostgreSQL through a proxy that the test cuts, so
 * its LISTEN connection is down while replica B commits events. Once A is back, its subscribers get
 * every event of the gap, once and in order, and a socket whose session was revoked in the gap
 * closes. Then a PostgreSQL restart (-m fast) with subscribers on both replicas. All of it on both
 * transports: PostgreSQL NOTIFY (the default) and NATS JetStream (EVENT_BUS_URL).
 */
let pg: Cluster;
let proxy: Proxy;
let a: Replica;
let b: Replica;
let viaB: GqlClient;
let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats.stop());

/** Two replicas on a private cluster, A through the proxy, with the transport's settings. */
function replicas(transport: 'notify' | 'nats') {
  const teardown = new Teardown();
  beforeAll(async () => {
    pg = teardown.last(await startCluster());
    proxy = await startProxy(pg.port);
    const env = {
      BUS_POLL_MS: '200',
      DB_DEADLINE_MS: '2000',
      ...(transport === 'nats' ? { EVENT_BUS_URL: nats.url, EVENT_BUS_STREAM: `GAP_${Date.now()}` } : {}),
    };
    b = teardown.first(await startReplica(pg.url, { env }));
    a = teardown.first(await startReplica(pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`), { env }));
    viaB = createClient(`${b.url}/graphql`);
  }, 120_000);
  // A failure shows what the replicas logged (warnings and errors), without the job queue's
  // reports of its own lost connections.
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail')
      for (const [name, r] of [
        ['A', a],
        ['B', b],
      ] as const)
        console.log(
          `replica ${name}:\n${r
            .output()
            .split('\n')
            .filter((line) => !line.includes('job queue: an error'))
            .join('\n')
            .slice(-4000)}`,
        );
  });
  afterAll(async () => {
    await teardown.run();
    await proxy.close();
  });
}

const CHANGES = `subscription S($l: ID!) { taskListChanged(listId: $l) { kind task { title } } }`;

/**
 * A socket on `url` subscribed to `query`, live once `poke` (a write through another replica) has
 * made an event arrive. A socket closed before that (its connection_init met a pooled connection a
 * previous test cut, and was told 1013) is opened again, as a client would.
 */
async function liveSocket(
  url: string,
  who: Account,
  query: string,
  variables: Record<string, unknown>,
  poke: () => Promise<unknown>,
) {
  const open = () => {
    const ws = wsClient(url, { authorization: `Bearer ${who.token}` });
    let closed = false;
    void ws.closed.then(() => (closed = true));
    return { ws, sub: ws.subscribe(query, variables), isClosed: () => closed };
  };
  let current = open();
  await waitFor(
    async () => {
      if (current.sub.values.length > 0) return true;
      if (current.isClosed()) current = open();
      await poke();
      return false;
    },
    'the subscription to be live',
    15_000,
  );
  return current;
}

/** A subscriber on `url` to the list's changes; live once a sentinel task has arrived. */
async function subscriber(url: string, who: Account, list: string, via: GqlClient) {
  const { ws, sub } = await liveSocket(url, who, CHANGES, { l: list }, () =>
    createTask(via, who, list, { title: 'sentinel' }),
  );
  await new Promise((r) => setTimeout(r, 500));
  const seen = () => sub.values.map((v) => v.taskListChanged.task?.title).filter((t) => t !== 'sentinel');
  return { ws, sub, seen };
}

/**
 * A socket on A with `who`'s notificationAdded subscription, live once a notification (a list shared
 * with them through B) has arrived: a cut that came while it was still subscribing would fail it.
 */
async function notified(who: Account) {
  const sharer = await viaB.register();
  const { ws } = await liveSocket(a.url, who, `subscription { notificationAdded { id } }`, {}, async () =>
    share(viaB, sharer, await createList(viaB, sharer, 'Ping'), who.email, 'VIEWER'),
  );
  return ws;
}

/** A new list of a new owner, with a live subscriber on each replica. */
async function watchedOnBoth(name: string) {
  const owner = await viaB.register();
  const list = await createList(viaB, owner, name);
  const onA = await subscriber(a.url, owner, list, viaB);
  const onB = await subscriber(b.url, owner, list, viaB);
  return { owner, list, onA, onB };
}

/** Every subscriber sees exactly `titles`, in order (and nothing more a second later); then closes. */
async function bothSee(subs: Awaited<ReturnType<typeof subscriber>>[], titles: string[]) {
  await waitFor(async () => subs.every((s) => s.seen().length >= titles.length), 'every subscriber', 20_000);
  await new Promise((r) => setTimeout(r, 1_000));
  for (const s of subs) expect(s.seen()).toEqual(titles);
  for (const s of subs) await s.ws.dispose();
}

describe.each([
  ['PostgreSQL NOTIFY', 'notify'],
  ['NATS JetStream', 'nats'],
] as const)('events over %s', (_name, transport) => {
  replicas(transport);

  describe('a replica cut off from PostgreSQL while others commit', () => {
    it('delivers every event of the gap once, in order, and closes a socket revoked in the gap', async () => {
      const owner = await viaB.register();
      const list = await createList(viaB, owner, 'Gap');
      const watcher = await subscriber(a.url, owner, list, viaB);
      // Another session of another user, with a socket on A, revoked during the gap.
      const other = await viaB.register();
      const doomed = await notified(other);

      proxy.cut();
      const titles = Array.from({ length: 20 }, (_, i) => `gap ${String(i).padStart(2, '0')}`);
      for (const title of titles) await createTask(viaB, owner, list, { title });
      await viaB.ok(`mutation { logoutAllSessions }`, {}, { token: other.token });
      await new Promise((r) => setTimeout(r, 1_000));
      proxy.restore();

      await waitFor(async () => watcher.seen().length >= titles.length, 'the events of the gap', 20_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(watcher.seen()).toEqual(titles);
      const closed = await Promise.race([doomed.closed, new Promise((r) => setTimeout(() => r(null), 8_000))]);
      expect(closed).toMatchObject({ code: 4403 });
      await watcher.ws.dispose();
    });

    it('re-checks every open socket once it reconnects: a session revoked with no event left closes too', async () => {
      const doomed = await viaB.register();
      const kept = await viaB.register();
      const sockets = [await notified(doomed), await notified(kept)];
      proxy.cut();
      // Revoked behind the server's back: no event, as when the gap outlasts the outbox's retention.
      await pg.sql(`update sessions set revoked_at = now() where user_id = '${doomed.userId}'`);
      await new Promise((r) => setTimeout(r, 1_000));
      proxy.restore();
      const restored = Date.now();
      const timeout = (ms: number) => new Promise((r) => setTimeout(() => r(null), ms));
      // Within 5 s of the connection coming back (the listener's probe finds it, then one query).
      expect(await Promise.race([sockets[0]!.closed, timeout(5_000)])).toMatchObject({ code: 4403 });
      console.log(`closed ${Date.now() - restored} ms after the connection came back`);
      expect(await Promise.race([sockets[1]!.closed, timeout(500)])).toBeNull();
      await sockets[1]!.dispose();
    });
  });

  describe('only the LISTEN backends killed', () => {
    it('events committed while the replicas LISTEN again arrive once, in order, on both', async () => {
      const { owner, list, onA, onB } = await watchedOnBoth('Listener');
      const killed = await pg.sql<{ pid: number }>(
        `select pid from pg_stat_activity where query ilike 'listen%' and pg_terminate_backend(pid)`,
      );
      expect(killed.length).toBeGreaterThanOrEqual(2);
      const titles = Array.from({ length: 10 }, (_, i) => `relisten ${i}`);
      for (const title of titles) await createTask(viaB, owner, list, { title });
      await bothSee([onA, onB], titles);
    });
  });

  describe('PostgreSQL restarted (-m fast) under live subscribers on two replicas', () => {
    it('each replica delivers every event committed once it is back, once and in order', async () => {
      const { owner, list, onA, onB } = await watchedOnBoth('Restart');
      pg.restart();
      const titles = Array.from({ length: 10 }, (_, i) => `after ${i}`);
      // Retried until it goes through, each with its Idempotency-Key: a write whose COMMIT answer was
      // lost in the restart is not done twice (the retry hears it was carried out).
      for (const title of titles) {
        const headers = { 'idempotency-key': `restart-${list}-${title.replace(' ', '-')}` };
        await waitFor(
          async () => {
            const res = await viaB.gql(
              `mutation C($l: ID!, $t: String!) { createTask(input: { listId: $l, title: $t }) { id } }`,
              { l: list, t: title },
              { token: owner.token, headers },
            );
            return res.errors === undefined || /carried out/.test(res.errors[0]?.message ?? '');
          },
          'a write after the restart',
          20_000,
        );
      }
      await bothSee([onA, onB], titles);
    });
  });
});
