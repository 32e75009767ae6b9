import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type GqlClient, createClient } from '../helpers/client.js';
import { waitFor, wsClient } from '../helpers/ws.js';
import { createList, createTask } from '../tasks/helpers.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type Proxy, startProxy } from './proxy.js';
import { type Replica, startReplica } from './replica.js';

/**
 * Events that survive a gap: replica A reaches PostgreSQL through a proxy that the test cuts, so
 * its LISTEN connection is down while replica B commits events. Once A is back, its subscribers get
 * every event of the gap, once and in order, and a socket whose session was revoked in the gap
 * closes. Then a PostgreSQL restart (-m fast) with subscribers on both replicas.
 */
let pg: Cluster;
let proxy: Proxy;
let a: Replica;
let b: Replica;
let viaB: GqlClient;
const teardown = new Teardown();
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  proxy = await startProxy(pg.port);
  const env = { BUS_POLL_MS: '200', DB_DEADLINE_MS: '2000' };
  b = teardown.first(await startReplica(pg.url, { env }));
  a = teardown.first(await startReplica(pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`), { env }));
  viaB = createClient(`${b.url}/graphql`);
}, 120_000);
afterAll(async () => {
  await teardown.run();
  await proxy.close();
});

const CHANGES = `subscription S($l: ID!) { taskListChanged(listId: $l) { kind task { title } } }`;

/** A subscriber on `url` to the list's changes; live once the first sentinel task arrives. */
async function subscriber(url: string, who: Account, list: string, via: GqlClient) {
  const ws = wsClient(url, { authorization: `Bearer ${who.token}` });
  const sub = ws.subscribe(CHANGES, { l: list });
  await waitFor(
    async () => {
      if (sub.values.length > 0) return true;
      await createTask(via, who, list, { title: 'sentinel' });
      return false;
    },
    'the subscription to be live',
    15_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  const seen = () => sub.values.map((v) => v.taskListChanged.task?.title).filter((t) => t !== 'sentinel');
  return { ws, sub, seen };
}

describe('a replica cut off from PostgreSQL while others commit', () => {
  it('delivers every event of the gap once, in order, and closes a socket revoked in the gap', async () => {
    const owner = await viaB.register();
    const list = await createList(viaB, owner, 'Gap');
    const live = await subscriber(a.url, owner, list, viaB);
    // Another session of another user, with a socket on A, revoked during the gap.
    const other = await viaB.register();
    const doomed = wsClient(a.url, { authorization: `Bearer ${other.token}` });
    doomed.subscribe(`subscription { notificationAdded { id } }`);
    await new Promise((r) => setTimeout(r, 500));

    proxy.cut();
    const titles = Array.from({ length: 20 }, (_, i) => `gap ${String(i).padStart(2, '0')}`);
    for (const title of titles) await createTask(viaB, owner, list, { title });
    await viaB.ok(`mutation { logoutAllSessions }`, {}, { token: other.token });
    await new Promise((r) => setTimeout(r, 1_000));
    proxy.restore();

    await waitFor(async () => live.seen().length >= titles.length, 'the events of the gap', 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(live.seen()).toEqual(titles);
    const closed = await Promise.race([doomed.closed, new Promise((r) => setTimeout(() => r(null), 8_000))]);
    expect(closed).toMatchObject({ code: 4403 });
    await live.ws.dispose();
  });
});

describe('PostgreSQL restarted (-m fast) under live subscribers on two replicas', () => {
  it('each replica delivers every event committed once it is back, once and in order', async () => {
    const owner = await viaB.register();
    const list = await createList(viaB, owner, 'Restart');
    const onA = await subscriber(a.url, owner, list, viaB);
    const onB = await subscriber(b.url, owner, list, viaB);
    pg.restart();
    const titles = Array.from({ length: 10 }, (_, i) => `after ${i}`);
    // Through whichever replica answers first after the restart.
    for (const title of titles)
      await waitFor(
        async () =>
          (
            await viaB.gql(
              `mutation C($l: ID!, $t: String!) { createTask(input: { listId: $l, title: $t }) { id } }`,
              { l: list, t: title },
              { token: owner.token },
            )
          ).errors === undefined,
        'a write after the restart',
        20_000,
      );
    await waitFor(async () => onA.seen().length >= 10 && onB.seen().length >= 10, 'both subscribers', 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(onA.seen()).toEqual(titles);
    expect(onB.seen()).toEqual(titles);
    await onA.ws.dispose();
    await onB.ws.dispose();
  });
});
