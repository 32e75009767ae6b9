import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/shared/event-bus.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { subscribed, waitFor } from '../helpers/ws.js';
import { createList, createTask } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

const SEND_BUFFER = 256 * 1024;
/** One server bounds the send buffer (its queues are the default 10,000); the other a subscription's queue. */
let s: TestServer;
let queued: TestServer;
beforeAll(async () => {
  [s, queued] = await Promise.all([
    startServer({ WS_SEND_BUFFER_BYTES: String(SEND_BUFFER) }),
    startServer({ WS_QUEUE_MAX: '100' }),
  ]);
});
afterAll(() => closeAll(s, queued));

const NOTES = 'n'.repeat(20_000);

/** A raw graphql-transport-ws client whose reading can be stopped; it counts what it receives. */
async function rawSubscriber(s: TestServer, token: string, query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(`${s.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const received = { next: 0, error: [] as unknown[] };
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const acked = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string; payload?: unknown };
      if (message.type === 'connection_ack') resolve();
      if (message.type === 'next') received.next++;
      if (message.type === 'error') received.error.push(message.payload);
    }),
  );
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acked;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
  return { socket, received, closed };
}

const CHANGES = `subscription L($id: ID!) { taskListChanged(listId: $id) { kind task { id notes } } }`;

describe('a subscriber that stops reading', () => {
  it('2,000 events of 20 KB: the server buffers at most WS_SEND_BUFFER_BYTES, then closes with 1013', async () => {
    const who = await s.register();
    const listId = await createList(s, who);
    const taskId = await createTask(s, who, listId, { notes: NOTES });
    const sub = await rawSubscriber(s, who.token, CHANGES, { id: listId });
    await subscribed(s, `task:${listId}`);
    sub.socket.pause();
    await s.server.app.db.transaction(async (tx) => {
      for (let i = 0; i < 2000; i++)
        await publish(tx, { topic: 'task', listId, taskId, kind: 'UPDATED', actorId: who.userId });
    });
    // The server gives the connection up: its subscription ends while the client still reads nothing.
    await waitFor(() => s.server.app.bus.listenerCount(`task:${listId}`) === 0, 'the subscription to end', 60_000);
    sub.socket.resume();
    const { code, reason } = await sub.closed;
    expect(code).toBe(1013);
    expect(reason).toBe('Send buffer full');
    // What reached the client is what the kernel and the bounded buffer held: far fewer than 2,000.
    console.log(`received ${sub.received.next} of 2000 before 1013`);
    expect(sub.received.next).toBeGreaterThan(0);
    expect(sub.received.next).toBeLessThan(1000);
  }, 90_000);

  it('a subscription more than WS_QUEUE_MAX events behind ends, and the socket closes with 1013', async () => {
    const s = queued;
    const who = await s.register();
    const listId = await createList(s, who);
    const taskId = await createTask(s, who, listId);
    // The task's own event is dispatched before subscribing: read late (a loaded machine), it would
    // reach the new subscription as one more message.
    await s.server.app.bus.caughtUp();
    const sub = await rawSubscriber(s, who.token, CHANGES, { id: listId });
    await subscribed(s, `task:${listId}`);
    // 300 events reach the subscription at once (one outbox read), faster than it resolves them.
    await s.server.app.db.transaction(async (tx) => {
      for (let i = 0; i < 300; i++)
        await publish(tx, { topic: 'task', listId, taskId, kind: 'UPDATED', actorId: who.userId });
    });
    const { code, reason } = await sub.closed;
    expect(code).toBe(1013);
    expect(reason).toBe('Subscription queue full');
    expect(sub.received.next).toBeLessThanOrEqual(101);
    expect(sub.received.error).toHaveLength(1);
  }, 60_000);
});
