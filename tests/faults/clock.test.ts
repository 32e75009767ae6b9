import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../helpers/client.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type Replica, startReplica } from './replica.js';

/**
 * One clock: a replica whose clock runs 30 s ahead (libfaketime) still agrees with the others,
 * because stored instants are written and compared with the database's time, and tokens allow the skew.
 */
let pg: Cluster;
let normal: Replica;
let ahead: Replica;
const teardown = new Teardown();
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  normal = teardown.first(await startReplica(pg.url, { env: { METRICS: 'true' } }));
  ahead = teardown.first(await startReplica(pg.url, { clockAheadS: 30, env: { METRICS: 'true' } }));
}, 90_000);
afterAll(() => teardown.run());

const REFRESH = `mutation R($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;

describe('a replica with its clock 30 s ahead', () => {
  it('a double refresh (one per replica, within the grace window) keeps the session; the tokens work on both', async () => {
    const one = createClient(`${normal.url}/graphql`);
    const two = createClient(`${ahead.url}/graphql`);
    const a = await one.register();
    // Two tabs refresh with the same token, one through each replica: a replay within the grace
    // window, never a reuse (the ahead replica used to see the first rotation as 30 s old).
    const first = (await one.ok(REFRESH, { t: a.refreshToken })).refreshToken;
    const second = (await two.ok(REFRESH, { t: a.refreshToken })).refreshToken;
    expect(second.refreshToken).toBe(first.refreshToken);
    // The session lives on: its successor rotates again, and no security alert was sent.
    const next = (await two.ok(REFRESH, { t: first.refreshToken })).refreshToken;
    const notes = await one.ok(
      `{ notifications(first: 10) { edges { node { kind } } } }`,
      {},
      { token: next.accessToken },
    );
    expect(notes.notifications.edges.map((e: any) => e.node.kind)).not.toContain('SECURITY_ALERT');
    // An access token signed by either replica is accepted by the other.
    expect((await one.ok(`{ me { id } }`, {}, { token: next.accessToken })).me.id).toBe(a.userId);
    expect((await two.ok(`{ me { id } }`, {}, { token: first.accessToken })).me.id).toBe(a.userId);
    const sessions = await two.ok(`{ sessions { id } }`, {}, { token: next.accessToken });
    expect(sessions.sessions).toHaveLength(1);
  });

  it('reports the skew as a metric and warns about it', async () => {
    const metric = async (r: Replica) => {
      const text = await (await fetch(`${r.url}/metrics`)).text();
      return Number(/^orbit_clock_skew_seconds (\S+)$/m.exec(text)?.[1]);
    };
    expect(await metric(ahead)).toBeLessThan(-29);
    expect(Math.abs(await metric(normal))).toBeLessThan(1);
    expect(ahead.output()).toMatch(/clock differs from the database's by more than 1 s/);
    expect(normal.output()).not.toMatch(/clock differs/);
  });
});
