import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { sendSentinel } from '../helpers/sentinel.js';
import { subscribed, waitFor, wsClient } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ ACCESS_TOKEN_TTL_S: '3' });
});
afterAll(() => closeAll(s));

const NOTIFY = `subscription { notificationAdded { id kind title } }`;
const LIST = `subscription L($id: ID!) { taskListChanged(listId: $id) { kind taskId } }`;

describe('connection', () => {
  it('closes 4401 for bad or missing credentials, which clients do not retry', async () => {
    for (const params of [
      { authorization: 'Bearer nonsense' },
      {},
      { authorization: 'Bearer orb_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ]) {
      const c = wsClient(s.url, params);
      expect((await c.closed).code).toBe(4401);
    }
  });

  it('gives a graphql-ws client with retries a bad token once: it does not retry 4401', async () => {
    const { createClient } = await import('graphql-ws');
    let attempts = 0;
    const error = await new Promise<unknown>((resolve) => {
      const client = createClient({
        url: `${s.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer nonsense' },
        retryAttempts: 5,
        retryWait: async () => {},
        on: { connecting: () => void (attempts += 1) },
      });
      client.subscribe(
        { query: NOTIFY },
        { next: () => {}, error: (e) => (resolve(e), void client.dispose()), complete: () => {} },
      );
    });
    expect((error as { code?: number }).code).toBe(4401);
    expect(attempts).toBe(1);
  });

  it('closes 4408 when connection_init does not come within 3 s', async () => {
    const started = Date.now();
    const socket = new WebSocket(`${s.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });

  it('accepts the refresh cookie on the upgrade request', async () => {
    const a = await s.register();
    const c = wsClient(s.url, undefined, { cookie: `orbit_refresh=${a.refreshToken}` });
    const sub = c.subscribe(NOTIFY);
    await subscribed(s, `notification:${a.userId}`);
    const sentinel = await sendSentinel(s, a.userId);
    expect((await sub.nth(1)).notificationAdded.title).toBe(sentinel);
    expect(sub.errors).toEqual([]);
    await c.dispose();
  });

  it('closes at access-token expiry unless the client renews it with a ping', async () => {
    const a = await s.register();
    const expiring = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    expiring.subscribe(NOTIFY);
    await subscribed(s, `notification:${a.userId}`);
    // Tokens carry whole seconds: the renewing token must expire later than the first one.
    await waitFor(() => Date.now() - a.issuedAt >= 2000, 'a token that expires later');
    const fresh = await s.ok(`mutation F($t: String) { refreshToken(refreshToken: $t) { accessToken } }`, {
      t: a.refreshToken,
    });
    // A graphql-ws ping carries a payload: a new token in it renews the connection.
    const raw = new WebSocket(`${s.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => raw.on('open', r));
    raw.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.token}` } }));
    await new Promise((r) => raw.once('message', r));
    raw.send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${fresh.refreshToken.accessToken}` } }));
    // The pong acknowledges the ping, so the renewal has been applied.
    await new Promise((r) => raw.once('message', r));
    let rawClosed = false;
    raw.on('close', () => (rawClosed = true));
    const { code } = await expiring.closed;
    expect(code).toBe(4403);
    // The renewed socket outlives the old token: still open when the other closed, and it answers a ping.
    expect(rawClosed).toBe(false);
    raw.send(JSON.stringify({ type: 'ping' }));
    expect(
      await new Promise(
        (r) => (
          raw.once('message', (m) => r(JSON.parse((m as Buffer).toString('utf8')).type)),
          raw.once('close', () => r('closed'))
        ),
      ),
    ).toBe('pong');
    raw.close();
  });

  it('allows at most 50 active subscriptions per connection', async () => {
    const a = await s.register();
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const subs = Array.from({ length: 51 }, () => c.subscribe(NOTIFY));
    await waitFor(() => subs.some((x) => x.errors.length > 0), 'the 51st subscription to be refused');
    await subscribed(s, `notification:${a.userId}`, 50);
    const failed = subs.filter((x) => x.errors.length > 0);
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0]!.errors)).toContain('At most 50 active subscriptions');
    await c.dispose();
  });

  it('refuses a list the viewer cannot see with NOT_FOUND and sends nothing', async () => {
    const owner = await s.register();
    const stranger = await s.register();
    const list = (
      await s.ok(`mutation { createTaskList(input: { name: "secret" }) { id } }`, {}, { token: owner.token })
    ).createTaskList.id;
    const c = wsClient(s.url, { authorization: `Bearer ${stranger.token}` });
    const sub = c.subscribe(LIST, { id: list });
    await sub.completed;
    expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
    // Nothing was subscribed: no one waits on the list's events.
    expect(s.server.app.bus.listenerCount(`task:${list}`)).toBe(0);
    await s.ok(
      `mutation C($l: ID!) { createTask(input: { listId: $l, title: "hidden" }) { id } }`,
      { l: list },
      { token: owner.token },
    );
    expect(sub.values).toEqual([]);
    await c.dispose();
  });
});

describe('revocation closes sockets at once', () => {
  const cases: Array<[string, (a: Awaited<ReturnType<TestServer['register']>>, admin: string) => Promise<unknown>]> = [
    ['logout', (a) => r.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken })],
    [
      'password change',
      (a) =>
        r.ok(
          `mutation C($c: String!) { changePassword(currentPassword: $c, newPassword: "a-fresh-passphrase-9") }`,
          { c: PASSWORD },
          { token: a.token },
        ),
    ],
    [
      'account deletion',
      (a) => r.ok(`mutation D($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, { token: a.token }),
    ],
    [
      'suspension',
      (a, admin) =>
        r.ok(
          `mutation S($id: ID!) { suspendUser(userId: $id, reason: "abuse") { id } }`,
          { id: a.userId },
          { token: admin },
        ),
    ],
  ];
  // A server of its own, with tokens that outlive the test: only the revocation may close the socket.
  let r: TestServer;
  afterAll(() => closeAll(r));
  let adminEmail: string;
  beforeAll(async () => {
    r = await startServer();
    adminEmail = (
      await r.server.services.admin.createUser({
        email: `admin-${Date.now()}@example.com`,
        password: PASSWORD,
        admin: true,
      })
    ).email;
  });
  it.each(cases)('%s', async (_name, act) => {
    const a = await r.register();
    const c = wsClient(r.url, { authorization: `Bearer ${a.token}` });
    c.subscribe(NOTIFY);
    await subscribed(r, `notification:${a.userId}`);
    const adminToken = (
      await r.ok(
        `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
        { i: adminEmail, p: PASSWORD },
      )
    ).login.accessToken;
    await act(a, adminToken);
    // With 15-minute tokens only the revocation's event can close the socket (how fast is a
    // latency, measured in bench/, not asserted against a wall clock here).
    const { code, reason } = await c.closed;
    expect(code).toBe(4403);
    expect(reason).not.toMatch(/expired/i);
  });
});
