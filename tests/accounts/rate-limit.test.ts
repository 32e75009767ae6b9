import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let tight: TestServer;
let defaults: TestServer;
beforeAll(async () => {
  [s, tight, defaults] = await Promise.all([
    startServer({ LOGIN_MAX_FAILURES: '3' }),
    startServer({ IP_LOGIN_LIMIT: '5', IP_REGISTER_LIMIT: '2' }),
    startServer({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }),
  ]);
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(tight);
  await closeAll(defaults);
});

const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`;

describe('rate limits', () => {
  it('locks an account after too many failures, even for the right password, with retryAfter', async () => {
    const a = await s.register();
    const other = await s.register();
    for (let i = 0; i < 3; i++)
      expect((await s.fail(LOGIN, { i: a.email, p: 'wrong-password' })).extensions?.code).toBe('UNAUTHENTICATED');
    const locked = await s.fail(LOGIN, { i: a.email, p: PASSWORD });
    expect(locked.extensions?.code).toBe('RATE_LIMITED');
    expect(locked.extensions?.retryAfter).toBeGreaterThan(800);
    expect(locked.extensions?.retryAfter).toBeLessThanOrEqual(900);
    // Another account from the same address is not affected.
    await s.ok(LOGIN, { i: other.email, p: PASSWORD });
  });

  it('limits logins and registrations per client address', async () => {
    const REGISTER = `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { user { id } } }`;
    const first = await tight.register();
    await tight.register();
    const third = await tight.fail(REGISTER, { e: uniqueEmail(), p: PASSWORD });
    expect(third.extensions?.code).toBe('RATE_LIMITED');
    for (let i = 0; i < 5; i++)
      expect((await tight.fail(LOGIN, { i: uniqueEmail('x'), p: 'whatever-pass' })).extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    // The address is over its limit: even a right password waits.
    const limited = await tight.fail(LOGIN, { i: first.email, p: PASSWORD });
    expect(limited.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.extensions?.retryAfter).toBeGreaterThan(500);
  });

  it('by default lets 200 logins and 200 registrations from one address through', { timeout: 120_000 }, async () => {
    const accounts = [];
    for (let i = 0; i < 200; i++) {
      const res = await defaults.gql(
        `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { user { id } } }`,
        { e: uniqueEmail('office'), p: PASSWORD },
      );
      expect(res.errors).toBeUndefined();
      accounts.push(res.data);
    }
    const a = await defaults.gql(
      `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { user { id } } }`,
      { e: uniqueEmail('office'), p: PASSWORD },
    );
    expect(a.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(accounts).toHaveLength(200);
    for (let i = 0; i < 200; i++)
      expect((await defaults.fail(LOGIN, { i: uniqueEmail('y'), p: 'whatever-pass' })).extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    expect((await defaults.fail(LOGIN, { i: uniqueEmail('y'), p: 'whatever-pass' })).extensions?.code).toBe(
      'RATE_LIMITED',
    );
  });
});
