import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const REGISTER = `mutation R($input: RegisterInput!) { register(input: $input) {
  accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
  user { id email username name timezone role tier emailVerified suspended suspensionReason createdAt } } }`;
const LOGIN = `mutation L($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id email } } }`;
const ME = `{ me { id email username name timezone role tier } }`;

describe('register', () => {
  it('creates a USER on the FREE tier and signs them in', async () => {
    const email = uniqueEmail('Reg').toUpperCase();
    const res = await s.gql(REGISTER, {
      input: { email, password: PASSWORD, name: 'Ada', username: 'ada_l', timezone: 'Europe/Warsaw' },
    });
    expect(res.errors).toBeUndefined();
    const p = res.data.register;
    expect(p.user).toMatchObject({
      email: email.toLowerCase(),
      username: 'ada_l',
      name: 'Ada',
      timezone: 'Europe/Warsaw',
      role: 'USER',
      tier: 'FREE',
      emailVerified: false,
      suspended: false,
      suspensionReason: null,
    });
    expect(new Date(p.accessTokenExpiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(new Date(p.refreshTokenExpiresAt).getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
    expect(p.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The new session works at once.
    const me = await s.ok(ME, {}, { token: p.accessToken });
    expect(me.me.id).toBe(p.user.id);
    const sessions = await s.ok(`{ sessions { id current } }`, {}, { token: p.accessToken });
    expect(sessions.sessions).toHaveLength(1);
    expect(sessions.sessions[0].current).toBe(true);
    // The refresh token is set as an httpOnly cookie as well.
    expect(res.headers.get('set-cookie')).toMatch(/orbit_refresh=.*HttpOnly.*SameSite=Lax/i);
  });

  it('defaults the timezone to UTC', async () => {
    const a = await s.register();
    expect((await s.ok(ME, {}, { token: a.token })).me.timezone).toBe('UTC');
  });

  it('rejects a duplicate email (any case) or username with CONFLICT', async () => {
    const a = await s.register({ username: 'dupe_name' });
    const byEmail = await s.fail(REGISTER, { input: { email: a.email.toUpperCase(), password: PASSWORD } });
    expect(byEmail.extensions?.code).toBe('CONFLICT');
    const byName = await s.fail(REGISTER, {
      input: { email: uniqueEmail(), password: PASSWORD, username: 'DUPE_NAME' },
    });
    expect(byName.extensions?.code).toBe('CONFLICT');
  });

  it('enforces the password policy with per-field messages and writes nothing', async () => {
    const email = uniqueEmail('policy');
    const cases: Array<[string, RegExp]> = [
      ['short1!', /at least 8/],
      ['x'.repeat(257), /at most 256/],
      ['password123', /too common/],
      ['qwertyuiop', /too common/],
    ];
    for (const [password, message] of cases) {
      const e = await s.fail(REGISTER, { input: { email, password } });
      expect(e.extensions?.code).toBe('BAD_USER_INPUT');
      expect((e.extensions?.fields as Record<string, string>).password).toMatch(message);
    }
    const same = await s.fail(REGISTER, {
      input: { email: uniqueEmail(), password: 'my-own-handle', username: 'my-own-handle' },
    });
    expect((same.extensions?.fields as Record<string, string>).password).toMatch(/email or username/);
    // Nothing was created: the address is still free.
    const ok = await s.gql(REGISTER, { input: { email, password: PASSWORD } });
    expect(ok.errors).toBeUndefined();
  });

  it('accepts a 256-character password and does not truncate it', async () => {
    const long = 'Zq9'.repeat(85) + 'x';
    const a = await s.register({ password: long });
    expect((await s.gql(LOGIN, { input: { identifier: a.email, password: long } })).errors).toBeUndefined();
    const truncated = await s.fail(LOGIN, { input: { identifier: a.email, password: long.slice(0, 72) } });
    expect(truncated.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('validates email, username and timezone', async () => {
    const e = await s.fail(REGISTER, {
      input: { email: 'not-an-email', password: PASSWORD, username: 'a', timezone: 'Mars/Olympus' },
    });
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(e.extensions?.fields as object).sort()).toEqual(['email', 'timezone', 'username']);
  });
});

describe('login', () => {
  it('signs in with email or username, case-insensitively', async () => {
    const a = await s.register({ username: 'Grace_H' });
    const byEmail = await s.ok(LOGIN, { input: { identifier: a.email.toUpperCase(), password: PASSWORD } });
    expect(byEmail.login.user.id).toBe(a.userId);
    const byName = await s.ok(LOGIN, { input: { identifier: 'grace_h', password: PASSWORD } });
    expect(byName.login.user.id).toBe(a.userId);
    const sessions = await s.ok(`{ sessions { id } }`, {}, { token: byName.login.accessToken });
    expect(sessions.sessions).toHaveLength(3);
  });

  it('gives the same UNAUTHENTICATED error for an unknown account and a wrong password', async () => {
    const a = await s.register();
    const wrong = await s.fail(LOGIN, { input: { identifier: a.email, password: 'wrong-password-1' } });
    const unknown = await s.fail(LOGIN, { input: { identifier: uniqueEmail('nobody'), password: 'wrong-password-1' } });
    expect(wrong.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown).toEqual(wrong);
  });

  it('treats a deleted account like an unknown one, and its tokens stop at once', async () => {
    const a = await s.register();
    const wrongPw = await s.fail(`mutation { deleteAccount(password: "not-my-password") }`, {}, { token: a.token });
    expect(wrongPw.extensions?.code).toBe('BAD_USER_INPUT');
    expect(
      (await s.ok(`mutation D($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, { token: a.token }))
        .deleteAccount,
    ).toBe(true);
    expect((await s.fail(ME, {}, { token: a.token })).extensions?.code).toBe('UNAUTHENTICATED');
    const login = await s.fail(LOGIN, { input: { identifier: a.email, password: PASSWORD } });
    expect(login.extensions?.code).toBe('UNAUTHENTICATED');
    expect(login.message).toBe('Invalid email, username or password');
    // The address can be registered again.
    await s.register({ email: a.email });
  });
});

describe('access tokens', () => {
  it('requires a token for me, and rejects tampered, foreign or unsigned tokens', async () => {
    expect((await s.fail(ME)).extensions?.code).toBe('UNAUTHENTICATED');
    const a = await s.register();
    const [h, p, sig] = a.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })).toString(
      'base64url',
    );
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    for (const token of [`${h}.${forged}.${sig}`, `${none}.${p}.`, `${h}.${p}.${'A'.repeat(sig!.length)}`, 'garbage']) {
      expect((await s.fail(ME, {}, { token })).extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(claims).toMatchObject({ sub: a.userId, typ: 'access', iss: 'orbit', aud: 'orbit-api' });
    expect(typeof claims.sid).toBe('string');
  });

  it('updates the profile and reports username conflicts', async () => {
    const a = await s.register();
    await s.register({ username: 'taken_one' });
    const up = await s.ok(
      `mutation { updateProfile(input: { name: "New Name", timezone: "Pacific/Auckland" }) { name timezone } }`,
      {},
      { token: a.token },
    );
    expect(up.updateProfile).toEqual({ name: 'New Name', timezone: 'Pacific/Auckland' });
    const clash = await s.fail(
      `mutation { updateProfile(input: { username: "Taken_One" }) { id } }`,
      {},
      { token: a.token },
    );
    expect(clash.extensions?.code).toBe('CONFLICT');
    const bad = await s.fail(
      `mutation { updateProfile(input: { timezone: "Nowhere/City" }) { id } }`,
      {},
      { token: a.token },
    );
    expect(bad.extensions?.fields).toEqual({ timezone: 'Unknown IANA timezone' });
    expect((await s.ok(ME, {}, { token: a.token })).me.timezone).toBe('Pacific/Auckland');
  });
});
