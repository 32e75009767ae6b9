import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let adminToken: string;
beforeAll(async () => {
  s = await startServer();
  // Admins come from the command line's code path (user:create --admin).
  const admin = await s.server.services.admin.createUser({
    email: uniqueEmail('admin'),
    password: PASSWORD,
    admin: true,
  });
  const login = await s.ok(
    `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
    { i: admin.email, p: PASSWORD },
  );
  adminToken = login.login.accessToken;
});
afterAll(() => closeAll(s));

const SUSPEND = `mutation S($id: ID!, $r: String!) { suspendUser(userId: $id, reason: $r) { id suspended suspensionReason } }`;
const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`;

describe('admin', () => {
  it('only admins list users; pages are stable and search filters', async () => {
    const a = await s.register({ name: 'Searchable Person' });
    expect((await s.fail(`{ users { totalCount } }`, {}, { token: a.token })).extensions?.code).toBe('FORBIDDEN');
    expect((await s.fail(`{ users { totalCount } }`)).extensions?.code).toBe('UNAUTHENTICATED');
    for (let i = 0; i < 4; i++) await s.register();
    const all = (await s.ok(`{ users(first: 100) { totalCount edges { node { id } } } }`, {}, { token: adminToken }))
      .users;
    expect(all.totalCount).toBe(all.edges.length);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (
        await s.ok(
          `query P($a: String) { users(first: 2, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
          { a: after },
          { token: adminToken },
        )
      ).users;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e: any) => e.node.id));
    const found = (
      await s.ok(`{ users(search: "searchable") { totalCount edges { node { id } } } }`, {}, { token: adminToken })
    ).users;
    expect(found).toEqual({ totalCount: 1, edges: [{ node: { id: a.userId } }] });
    expect((await s.fail(`{ users(first: 101) { totalCount } }`, {}, { token: adminToken })).extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('suspension revokes sessions, blocks every request and login with the reason, and can be lifted', async () => {
    const a = await s.register();
    const other = await s.register();
    expect((await s.fail(SUSPEND, { id: other.userId, r: 'spam' }, { token: a.token })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    const res = await s.ok(SUSPEND, { id: a.userId, r: 'Payment fraud' }, { token: adminToken });
    expect(res.suspendUser).toEqual({ id: a.userId, suspended: true, suspensionReason: 'Payment fraud' });
    const onRequest = await s.fail(`{ me { id } }`, {}, { token: a.token });
    expect(onRequest.extensions).toMatchObject({ code: 'ACCOUNT_SUSPENDED', reason: 'Payment fraud' });
    const onLogin = await s.fail(LOGIN, { i: a.email, p: PASSWORD });
    expect(onLogin.extensions).toMatchObject({ code: 'ACCOUNT_SUSPENDED', reason: 'Payment fraud' });
    expect(
      (await s.fail(`mutation F($t: String) { refreshToken(refreshToken: $t) { accessToken } }`, { t: a.refreshToken }))
        .extensions?.code,
    ).toMatch(/UNAUTHENTICATED|ACCOUNT_SUSPENDED/);
    // The reason is visible to admins, not to other users.
    const asAdmin = await s.ok(
      `{ users(search: "${a.email}") { edges { node { suspended suspensionReason } } } }`,
      {},
      { token: adminToken },
    );
    expect(asAdmin.users.edges[0].node).toEqual({ suspended: true, suspensionReason: 'Payment fraud' });

    await s.ok(
      `mutation U($id: ID!) { unsuspendUser(userId: $id) { suspended } }`,
      { id: a.userId },
      { token: adminToken },
    );
    // Old sessions stay revoked; a new login works.
    expect((await s.fail(`{ me { id } }`, {}, { token: a.token })).extensions?.code).toBe('UNAUTHENTICATED');
    const again = await s.ok(LOGIN, { i: a.email, p: PASSWORD });
    expect((await s.ok(`{ me { id suspensionReason } }`, {}, { token: again.login.accessToken })).me).toEqual({
      id: a.userId,
      suspensionReason: null,
    });
  });

  it('sets tiers and roles; unknown or malformed ids are NOT_FOUND', async () => {
    const a = await s.register();
    const tier = await s.ok(
      `mutation T($id: ID!) { setUserTier(userId: $id, tier: BUILDER) { tier } }`,
      { id: a.userId },
      { token: adminToken },
    );
    expect(tier.setUserTier.tier).toBe('BUILDER');
    expect((await s.ok(`{ me { tier } }`, {}, { token: a.token })).me.tier).toBe('BUILDER');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(
        (
          await s.fail(
            `mutation T($id: ID!) { setUserTier(userId: $id, tier: FREE) { tier } }`,
            { id },
            { token: adminToken },
          )
        ).extensions?.code,
      ).toBe('NOT_FOUND');
    }
    await s.ok(
      `mutation R($id: ID!) { setUserRole(userId: $id, role: ADMIN) { role } }`,
      { id: a.userId },
      { token: adminToken },
    );
    expect((await s.ok(`{ users(first: 1) { totalCount } }`, {}, { token: a.token })).users.totalCount).toBeGreaterThan(
      0,
    );
  });
});
