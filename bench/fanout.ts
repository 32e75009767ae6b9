import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { gql, memoryAfterGc, percentile, pinSelf, registerUser, startServerProcess } from './lib.js';

/**
 * Subscription fan-out: N graphql-ws connections of one user, each subscribed to notificationAdded;
 * the server's RSS per idle subscribed connection; then one notification for all of them and the
 * delivery latency from the moment the mutation was sent.
 */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);

export async function fanout(n: number, env: Record<string, string>) {
  pinSelf(1);
  const server = await startServerProcess({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', ...env });
  try {
    const owner = await registerUser(server.url, 'owner');
    const user = await registerUser(server.url, 'subscriber');
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    // Warm the server (schema, first socket, a full database pool) before the baseline.
    await connect(wsUrl, user.token, () => {}).then((s) => s.close());
    await Promise.all(Array.from({ length: 30 }, () => gql(server.url, '{ me { id } }', {}, user.token)));
    await new Promise((r) => setTimeout(r, 1000));
    const before = await memoryAfterGc(server.pid);
    const received: number[] = [];
    const sinceCreated: number[] = [];
    let firedAt = 0;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < n; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, n - i) }, () => connect(wsUrl, user.token, (createdAt) => {
          received.push(performance.now() - firedAt);
          sinceCreated.push(Date.now() - Date.parse(createdAt));
        })),
      );
      sockets.push(...batch);
    }
    // Idle for a while: V8 gives unused heap pages back only after some idle time (its memory reducer).
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = await memoryAfterGc(server.pid);
    const share = async (name: string) => {
      const list = (await gql(server.url, `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`, { n: name }, owner.token)).createTaskList.id;
      firedAt = performance.now();
      await gql(server.url, `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: VIEWER) { id } }`, { id: list, e: user.email }, owner.token);
      const mutationMs = performance.now() - firedAt;
      const deadline = Date.now() + 60_000;
      while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      return mutationMs;
    };
    // One event warms the delivery path (JIT); the second one is measured.
    await share('warm-up');
    const warmupDelivered = received.length;
    received.length = 0;
    sinceCreated.length = 0;
    await new Promise((r) => setTimeout(r, 500));
    const mutationMs = await share('measured');
    for (const s of sockets) s.terminate();
    const sorted = [...received].sort((a, b) => a - b);
    const fromEvent = [...sinceCreated].sort((a, b) => a - b);
    return {
      connections: n,
      warmupDelivered,
      mutationMs,
      delivered: received.length,
      rssPerConnectionKB: (after.rss - before.rss) / n / 1024,
      heapPerConnectionKB: (after.heapUsed - before.heapUsed) / n / 1024,
      heapTotalPerConnectionKB: ((after as { heapTotal?: number }).heapTotal! - (before as { heapTotal?: number }).heapTotal!) / n / 1024,
      externalPerConnectionKB: (after.external - before.external) / n / 1024,
      min: sorted[0],
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      fromEventP50: percentile(fromEvent, 50),
      fromEventP95: percentile(fromEvent, 95),
      fromEventP99: percentile(fromEvent, 99),
      errors: n - received.length,
    };
  } finally {
    await server.stop();
  }
}

/** A bare graphql-transport-ws client: init, one subscription, a callback per `next`. */
function connect(url: string, token: string, onNext: (createdAt: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { notificationAdded { id kind createdAt } }' } }));
        setTimeout(() => resolve(ws), 0);
      } else if (msg.type === 'next') onNext(msg.payload.data.notificationAdded.createdAt);
      else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-'));
  const env: Record<string, string> = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: dir } : { DATA_DIR: dir };
  console.log(JSON.stringify(await fanout(n, env)));
  rmSync(dir, { recursive: true, force: true });
}
