import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/shared/viewer.js';
import { ViewerCache } from '../../src/modules/accounts/viewer-cache.js';
import { PASSWORD, type Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { sleep, waitFor } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let shortLived: TestServer;
let adminToken: string;
beforeAll(async () => {
  [s, shortLived] = await Promise.all([startServer(), startServer({ VIEWER_CACHE_TTL_S: '1' })]);
  const admin = await s.server.services.admin.createUser({
    email: `admin-${Date.now()}@example.com`,
    password: PASSWORD,
    admin: true,
  });
  adminToken = (
    await s.ok(
      `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
      { i: admin.email, p: PASSWORD },
    )
  ).login.accessToken;
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(shortLived);
});

const ME = `{ me { id name role } }`;
const statementsOf = async (server: TestServer, token: string) => {
  const { reports } = await server.reports(() => server.ok(ME, {}, { token }));
  return reports[0]!.statements;
};

describe('the verified-token cache', () => {
  it('answers a repeated token without a statement', async () => {
    const a = await s.register();
    expect(await statementsOf(s, a.token)).toBe(1);
    expect(await statementsOf(s, a.token)).toBe(0);
    expect(await statementsOf(s, a.token)).toBe(0);
  });

  const endings: Array<[string, (a: Account) => Promise<unknown>]> = [
    ['logout', (a) => s.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken })],
    ['logoutAllSessions', (a) => s.ok(`mutation { logoutAllSessions }`, {}, { token: a.token })],
    [
      'suspension',
      (a) =>
        s.ok(
          `mutation S($id: ID!) { suspendUser(userId: $id, reason: "abuse") { id } }`,
          { id: a.userId },
          { token: adminToken },
        ),
    ],
    [
      'account deletion',
      (a) => s.ok(`mutation D($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, { token: a.token }),
    ],
  ];
  it.each(endings)('refuses a cached token at once after %s', async (_name, end) => {
    const a = await s.register();
    await s.ok(ME, {}, { token: a.token });
    expect(await statementsOf(s, a.token)).toBe(0);
    await end(a);
    const error = await s.fail(ME, {}, { token: a.token });
    expect(['UNAUTHENTICATED', 'ACCOUNT_SUSPENDED']).toContain(error.extensions?.code);
  });

  it('shows a profile change and a role change at once', async () => {
    const a = await s.register({ name: 'Before' });
    expect((await s.ok(ME, {}, { token: a.token })).me.name).toBe('Before');
    await s.ok(`mutation { updateProfile(input: { name: "After" }) { id } }`, {}, { token: a.token });
    expect((await s.ok(ME, {}, { token: a.token })).me.name).toBe('After');

    const USERS = `{ users(first: 1) { totalCount } }`;
    expect((await s.fail(USERS, {}, { token: a.token })).extensions?.code).toBe('FORBIDDEN');
    await s.ok(
      `mutation R($id: ID!) { setUserRole(userId: $id, role: ADMIN) { id } }`,
      { id: a.userId },
      { token: adminToken },
    );
    expect((await s.ok(USERS, {}, { token: a.token })).users.totalCount).toBeGreaterThan(0);
    await s.ok(
      `mutation R($id: ID!) { setUserRole(userId: $id, role: USER) { id } }`,
      { id: a.userId },
      { token: adminToken },
    );
    expect((await s.fail(USERS, {}, { token: a.token })).extensions?.code).toBe('FORBIDDEN');
  });

  it('forgets a change it was not told about within VIEWER_CACHE_TTL_S, and at once when LISTEN is re-established', async () => {
    const a = await shortLived.register();
    await shortLived.ok(ME, {}, { token: a.token });
    // Behind the server's back: no event announces this.
    await shortLived.server.app.db.execute(sql`update sessions set revoked_at = now() where user_id = ${a.userId}`);
    expect((await shortLived.ok(ME, {}, { token: a.token })).me.id).toBe(a.userId);
    // The entry lapses after VIEWER_CACHE_TTL_S (1 s here); then the revoked session is seen.
    await waitFor(
      async () =>
        (await shortLived.gql(ME, {}, { token: a.token })).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      'the cached entry to lapse',
      10_000,
    );

    if (shortLived.server.app.database.kind !== 'postgres') return;
    // On the server, events sent while the listener was cut off are lost: re-LISTEN drops the cache.
    const b = await s.register();
    await s.ok(ME, {}, { token: b.token });
    await s.server.app.db.execute(sql`update sessions set revoked_at = now() where user_id = ${b.userId}`);
    expect((await s.ok(ME, {}, { token: b.token })).me.id).toBe(b.userId);
    const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen%' and application_name like 'orbit/%'`;
    await admin.end();
    // Well before the 30 s TTL: the re-LISTEN dropped the cache.
    await waitFor(
      async () => (await s.gql(ME, {}, { token: b.token })).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      'the cache to be dropped on re-LISTEN',
      10_000,
    );
  });
});

describe('ViewerCache races', () => {
  const viewer = (userId: string, sessionId: string): Viewer => ({
    user: { id: userId } as Viewer['user'],
    userId,
    sessionId,
    apiKeyId: null,
    scopes: null,
    expiresAt: new Date(Date.now() + 60_000),
  });
  const cache = () => new ViewerCache({ maxEntries: 100, maxAgeMs: 60_000 });

  it('does not keep a read that began before a change committed', () => {
    const c = cache();
    const readAt = c.begin();
    c.changed({ topic: 'user.changed', userId: 'u1' });
    c.put('t1', viewer('u1', 's1'), readAt);
    expect(c.get('t1')).toBeNull();
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')?.userId).toBe('u1');
  });

  it("holds a change until this replica's own NOTIFY arrives, not another replica's", () => {
    const c = cache();
    c.put('t1', viewer('u1', 's1'), c.begin());
    const announced = c.hold({ topic: 'sessions.revoked', ids: ['s1'] });
    expect(c.get('t1')).toBeNull();
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')).toBeNull();
    c.changed({ topic: 'sessions.revoked', ids: ['s1'], origin: 'another-replica' });
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')).toBeNull();
    c.changed(announced);
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')?.sessionId).toBe('s1');
  });

  it('lets a hold whose change never committed lapse after the maximum age', async () => {
    const c = new ViewerCache({ maxEntries: 100, maxAgeMs: 50 });
    c.hold({ topic: 'user.changed', userId: 'u1' });
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')).toBeNull();
    await sleep(80);
    c.put('t1', viewer('u1', 's1'), c.begin());
    expect(c.get('t1')?.userId).toBe('u1');
  });
});
