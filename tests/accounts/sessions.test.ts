import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities, notifications } from '../../src/db/schema/index.js';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  // A 1-second grace window keeps the reuse test short; the rule is the same as with 10 s.
  s = await startServer({ REFRESH_REUSE_GRACE_S: '1' });
});
afterAll(() => closeAll(s));

const REFRESH = `mutation F($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken user { id } } }`;
const ME = `{ me { id } }`;
const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken refreshToken } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('refresh tokens', () => {
  it('rotates on every use; the new pair works, the session stays the same', async () => {
    const a = await s.register();
    const first = await s.ok(REFRESH, { t: a.refreshToken });
    expect(first.refreshToken.refreshToken).not.toBe(a.refreshToken);
    const second = await s.ok(REFRESH, { t: first.refreshToken.refreshToken });
    expect((await s.ok(ME, {}, { token: second.refreshToken.accessToken })).me.id).toBe(a.userId);
    const sessions = await s.ok(`{ sessions { id } }`, {}, { token: second.refreshToken.accessToken });
    expect(sessions.sessions).toHaveLength(1);
  });

  it('gives a replay within the grace window a fresh access token and the same successor (two tabs)', async () => {
    const a = await s.register();
    const tab1 = await s.ok(REFRESH, { t: a.refreshToken });
    const tab2 = await s.ok(REFRESH, { t: a.refreshToken });
    // One successor per refresh token: the second tab continues the same chain, it does not fork it.
    expect(tab2.refreshToken.refreshToken).toBe(tab1.refreshToken.refreshToken);
    for (const pair of [tab1, tab2])
      expect((await s.ok(ME, {}, { token: pair.refreshToken.accessToken })).me.id).toBe(a.userId);
    expect((await s.ok(`{ sessions { id } }`, {}, { token: tab2.refreshToken.accessToken })).sessions).toHaveLength(1);
  });

  it('revokes the whole session on a later replay, with an activity row, a SECURITY_ALERT and an email', async () => {
    const a = await s.register();
    const rotated = await s.ok(REFRESH, { t: a.refreshToken });
    await sleep(1300);
    const replay = await s.fail(REFRESH, { t: a.refreshToken });
    expect(replay.extensions?.code).toBe('UNAUTHENTICATED');
    // Every token of that session is dead now, the newest one included, and so are its access tokens.
    expect((await s.fail(REFRESH, { t: rotated.refreshToken.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(ME, {}, { token: rotated.refreshToken.accessToken })).extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    const db = s.server.app.db;
    const alerts = await db.select().from(notifications).where(eq(notifications.userId, a.userId));
    expect(alerts.map((n) => n.kind)).toEqual(['SECURITY_ALERT']);
    const verbs = (await db.select().from(activities).where(eq(activities.actorId, a.userId))).map((r) => r.verb);
    expect(verbs).toContain('session.reuse_detected');
    expect(s.outbox().filter((m) => m.to === a.email && m.kind === 'security-alert')).toHaveLength(1);
    // Other sessions of the user are untouched.
    const other = await s.ok(LOGIN, { i: a.email, p: PASSWORD });
    expect((await s.ok(ME, {}, { token: other.login.accessToken })).me.id).toBe(a.userId);
  });

  it('accepts the refresh token from the cookie and rejects an unknown one', async () => {
    const a = await s.register();
    const viaCookie = await s.gql(REFRESH, {}, { headers: { cookie: `orbit_refresh=${a.refreshToken}` } });
    expect(viaCookie.errors).toBeUndefined();
    expect(viaCookie.headers.get('set-cookie')).toContain(viaCookie.data.refreshToken.refreshToken);
    expect((await s.fail(REFRESH, { t: 'not-a-token' })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(REFRESH, {})).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('signing out', () => {
  it('logout needs only the refresh token and stops that session at once', async () => {
    const a = await s.register();
    expect((await s.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken })).logout).toBe(
      true,
    );
    expect((await s.fail(ME, {}, { token: a.token })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(REFRESH, { t: a.refreshToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken })).logout).toBe(
      false,
    );
  });

  it('logoutAllSessions ends every session and returns how many', async () => {
    const a = await s.register();
    const b = await s.ok(LOGIN, { i: a.email, p: PASSWORD });
    expect((await s.ok(`mutation { logoutAllSessions }`, {}, { token: a.token })).logoutAllSessions).toBe(2);
    for (const token of [a.token, b.login.accessToken])
      expect((await s.fail(ME, {}, { token })).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("revokeSession ends one of the viewer's sessions; another user's session is NOT_FOUND", async () => {
    const a = await s.register();
    const other = await s.register();
    const second = await s.ok(LOGIN, { i: a.email, p: PASSWORD });
    const { sessions } = await s.ok(`{ sessions { id current } }`, {}, { token: a.token });
    const target = sessions.find((x: { current: boolean }) => !x.current).id;
    const theirs = (await s.ok(`{ sessions { id } }`, {}, { token: other.token })).sessions[0].id;
    const foreign = await s.fail(`mutation R($id: ID!) { revokeSession(id: $id) }`, { id: theirs }, { token: a.token });
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    expect((await s.fail(`mutation { revokeSession(id: "nonsense") }`, {}, { token: a.token })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await s.ok(`mutation R($id: ID!) { revokeSession(id: $id) }`, { id: target }, { token: a.token })).revokeSession,
    ).toBe(true);
    expect((await s.fail(ME, {}, { token: second.login.accessToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.ok(ME, {}, { token: other.token })).me.id).toBe(other.userId);
    expect((await s.ok(ME, {}, { token: a.token })).me.id).toBe(a.userId);
  });

  it('changePassword keeps the current session, ends the others, and checks the current password', async () => {
    const a = await s.register();
    const other = await s.ok(LOGIN, { i: a.email, p: PASSWORD });
    const CHANGE = `mutation C($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;
    const wrong = await s.fail(CHANGE, { c: 'not-the-password', n: 'a-brand-new-passphrase' }, { token: a.token });
    expect(wrong.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.extensions?.fields).toEqual({ currentPassword: 'Current password is wrong' });
    const weak = await s.fail(CHANGE, { c: PASSWORD, n: 'password' }, { token: a.token });
    expect(Object.keys(weak.extensions?.fields as object)).toEqual(['newPassword']);
    expect((await s.ok(CHANGE, { c: PASSWORD, n: 'a-brand-new-passphrase' }, { token: a.token })).changePassword).toBe(
      true,
    );
    expect((await s.ok(ME, {}, { token: a.token })).me.id).toBe(a.userId);
    expect((await s.fail(ME, {}, { token: other.login.accessToken })).extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.fail(LOGIN, { i: a.email, p: PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');
    await s.ok(LOGIN, { i: a.email, p: 'a-brand-new-passphrase' });
  });
});

describe('password hashing', () => {
  it('stores argon2id with the production parameters and rehashes on login when they change', async () => {
    // The production parameters (the other tests hash cheaply): OWASP's 19 MiB, t=2, p=1.
    const p = await startServer({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' });
    try {
      await hashing(p);
    } finally {
      await p.close();
    }
  });
});

async function hashing(s: TestServer) {
  {
    const a = await s.register();
    const { users } = await import('../../src/db/schema/index.js');
    const hashOf = async () =>
      (await s.server.app.db.select().from(users).where(eq(users.id, a.userId)))[0]!.passwordHash;
    expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const app = s.server.app as { passwords: unknown };
    const original = app.passwords;
    const { Passwords } = await import('../../src/modules/accounts/passwords.js');
    app.passwords = new Passwords({ memoryCost: 12288, timeCost: 3, parallelism: 1 });
    try {
      await s.ok(LOGIN, { i: a.email, p: PASSWORD });
      expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=12288,p=1,t=3\$/);
    } finally {
      app.passwords = original;
    }
    await s.ok(LOGIN, { i: a.email, p: PASSWORD });
  }
}
