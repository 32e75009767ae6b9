import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { sleep, wsClient } from '../helpers/ws.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ ACCESS_TOKEN_TTL_S: '3' });
});
afterAll(() => s?.close());

const NOTIFY = `subscription { notificationAdded { id kind title } }`;
const LIST = `subscription L($id: ID!) { taskListChanged(listId: $id) { kind taskId } }`;

describe('connection', () => {
  it('closes 4403 for bad or missing credentials', async () => {
    for (const params of [{ authorization: 'Bearer nonsense' }, {}, { authorization: 'Bearer orb_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]) {
      const c = wsClient(s.url, params);
      expect((await c.closed).code).toBe(4403);
    }
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
    await sleep(200);
    expect(sub.errors).toEqual([]);
    await c.dispose();
  });

  it('closes at access-token expiry unless the client renews it with a ping', async () => {
    const a = await s.register();
    const expiring = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    expiring.subscribe(NOTIFY);
    await sleep(1500);
    const fresh = await s.ok(`mutation F($t: String) { refreshToken(refreshToken: $t) { accessToken } }`, { t: a.refreshToken });
    // A graphql-ws ping carries a payload: a new token in it renews the connection.
    const raw = new WebSocket(`${s.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => raw.on('open', r));
    raw.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.token}` } }));
    await new Promise((r) => raw.once('message', r));
    raw.send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${fresh.refreshToken.accessToken}` } }));
    let rawClosed = false;
    raw.on('close', () => (rawClosed = true));
    const { code } = await expiring.closed;
    expect(code).toBe(4403);
    await sleep(300);
    expect(rawClosed).toBe(false);
    raw.close();
  });

  it('allows at most 50 active subscriptions per connection', async () => {
    const a = await s.register();
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const subs = Array.from({ length: 51 }, () => c.subscribe(NOTIFY));
    await sleep(500);
    const failed = subs.filter((x) => x.errors.length > 0);
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0]!.errors)).toContain('At most 50 active subscriptions');
    await c.dispose();
  });

  it('refuses a list the viewer cannot see with NOT_FOUND and sends nothing', async () => {
    const owner = await s.register();
    const stranger = await s.register();
    const list = (await s.ok(`mutation { createTaskList(input: { name: "secret" }) { id } }`, {}, { token: owner.token })).createTaskList.id;
    const c = wsClient(s.url, { authorization: `Bearer ${stranger.token}` });
    const sub = c.subscribe(LIST, { id: list });
    await sub.completed;
    expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
    await s.ok(`mutation C($l: ID!) { createTask(input: { listId: $l, title: "hidden" }) { id } }`, { l: list }, { token: owner.token });
    await sleep(200);
    expect(sub.values).toEqual([]);
    await c.dispose();
  });
});

describe('revocation closes sockets within 1 s', () => {
  const cases: Array<[string, (a: Awaited<ReturnType<TestServer['register']>>, admin: string) => Promise<unknown>]> = [
    ['logout', (a) => s.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken })],
    ['password change', (a) => s.ok(`mutation C($c: String!) { changePassword(currentPassword: $c, newPassword: "a-fresh-passphrase-9") }`, { c: PASSWORD }, { token: a.token })],
    ['account deletion', (a) => s.ok(`mutation D($p: String!) { deleteAccount(password: $p) }`, { p: PASSWORD }, { token: a.token })],
    ['suspension', (a, admin) => s.ok(`mutation S($id: ID!) { suspendUser(userId: $id, reason: "abuse") { id } }`, { id: a.userId }, { token: admin })],
  ];
  let adminToken: string;
  beforeAll(async () => {
    const admin = await s.server.services.admin.createUser({ email: `admin-${Date.now()}@example.com`, password: PASSWORD, admin: true });
    adminToken = (await s.ok(`mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`, { i: admin.email, p: PASSWORD })).login.accessToken;
  });
  it.each(cases)('%s', async (_name, act) => {
    const a = await s.register();
    // Fresh token: the 3-second lifetime of this server must not be what closes the socket.
    const c = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    c.subscribe(NOTIFY);
    await sleep(100);
    const started = Date.now();
    await act(a, adminToken);
    const { code } = await c.closed;
    expect(code).toBe(4403);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
