import WebSocket from 'ws';
import {
  type BenchDatabase,
  type MemoryReading,
  gql,
  login,
  memoryAfterGc,
  percentile,
  pinSelf,
  sleep,
  startServerProcess,
} from './lib.js';
import { BENCH_PASSWORD, type Seeded, accessTokens, benchEnv } from './seed.js';

/**
 * Idle time before each memory reading: after a burst of work V8's memory reducer runs up to three
 * memory-reducing collections about 8 s apart and gives free pages back; 30 s lets it finish.
 */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const NOTIFY = 'subscription { notificationAdded { id kind createdAt } }';

export interface FanoutResult {
  connections: number;
  /** Readings after idle and a full GC: before connecting, with half, with all. */
  memory: { base: MemoryReading; half: MemoryReading; full: MemoryReading };
  /** (all − none) / N, and the marginal (all − half) / (N/2), in KB: anonymous resident memory. */
  anonPerConnectionKB: number;
  anonMarginalKB: number;
  /** The same from total RSS, which also moves with file-backed pages the kernel drops and reloads. */
  rssPerConnectionKB: number;
  rssMarginalKB: number;
  heapPerConnectionKB: number;
  heapMarginalKB: number;
  delivered: number;
  fromEvent: { p50: number; p95: number; p99: number };
  fromRequest: { p50: number; p95: number; p99: number };
  errors: number;
}

/**
 * 5. Subscription fan-out: N graphql-ws connections of one user, each with its own session and
 * token, each subscribed to notificationAdded. Memory is read three times after the same idle time
 * and full GC (none, N/2, N connected; see gc-hook.ts); then one notification (shareTaskList to that user) goes to
 * all N and its delivery is timed from the notification row's created_at (written with
 * clock_timestamp() in the mutation) and from the moment the mutation was sent. One warm-up event
 * precedes the measured one. Server pinned to core 0, clients on core 1.
 */
export async function fanout(
  db: BenchDatabase,
  seeded: Seeded,
  sessionIds: string[],
  n: number,
): Promise<FanoutResult> {
  pinSelf(1);
  const subscriber = { id: seeded.userIds[2], email: seeded.emails[2] };
  const tokens = await accessTokens(db.env, subscriber.id!, sessionIds.slice(0, n));
  const server = await startServerProcess(benchEnv(db.env));
  const sockets: WebSocket[] = [];
  try {
    const owner = await login(server.url, seeded.measured.email, BENCH_PASSWORD);
    const wsUrl = `${server.url.replace('http', 'ws')}/graphql`;
    const received: number[] = [];
    const sinceCreated: number[] = [];
    let firedAt = 0;
    const onNext = (createdAt: string) => {
      received.push(performance.now() - firedAt);
      sinceCreated.push(Date.now() - Date.parse(createdAt));
    };
    // Warm the server with the work the readings will see (sockets opened and closed, queries), so
    // that the first reading is taken after V8 has settled from it too, not from start-up.
    const warm = await Promise.all(tokens.slice(0, Math.min(200, n)).map((t) => connect(wsUrl, t, () => {})));
    await Promise.all(Array.from({ length: 100 }, () => gql(server.url, '{ me { id } }', {}, owner)));
    for (const s of warm) s.close();
    const reading = async () => (await sleep(IDLE_MS), memoryAfterGc(server.pid));
    const open = async (from: number, to: number) => {
      for (let i = from; i < to; i += 200)
        sockets.push(
          ...(await Promise.all(tokens.slice(i, Math.min(i + 200, to)).map((t) => connect(wsUrl, t, onNext)))),
        );
    };
    const base = await reading();
    await open(0, n / 2);
    const half = await reading();
    await open(n / 2, n);
    const full = await reading();

    const share = async (name: string) => {
      const list = (
        await gql(
          server.url,
          `mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`,
          { n: name },
          owner,
        )
      ).createTaskList.id;
      firedAt = performance.now();
      await gql(
        server.url,
        `mutation S($id: ID!, $e: String!) { shareTaskList(id: $id, email: $e, role: VIEWER) { id } }`,
        { id: list, e: subscriber.email },
        owner,
      );
      const deadline = Date.now() + 60_000;
      while (received.length < n && Date.now() < deadline) await sleep(5);
    };
    await share('warm-up');
    received.length = 0;
    sinceCreated.length = 0;
    await sleep(500);
    await share('measured');
    const latency = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
    };
    const kb = (bytes: number, count: number) => bytes / count / 1024;
    return {
      connections: n,
      memory: { base, half, full },
      anonPerConnectionKB: kb(full.rssAnon - base.rssAnon, n),
      anonMarginalKB: kb(full.rssAnon - half.rssAnon, n / 2),
      rssPerConnectionKB: kb(full.rss - base.rss, n),
      rssMarginalKB: kb(full.rss - half.rss, n / 2),
      heapPerConnectionKB: kb(full.heapUsed - base.heapUsed, n),
      heapMarginalKB: kb(full.heapUsed - half.heapUsed, n / 2),
      delivered: received.length,
      fromEvent: latency(sinceCreated),
      fromRequest: latency(received),
      errors: n - received.length,
    };
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop();
  }
}

/** A bare graphql-transport-ws client: init, one subscription, a callback per `next`. */
function connect(url: string, token: string, onNext: (createdAt: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('error', reject);
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    ws.on('message', (raw) => {
      const msg = JSON.parse((raw as Buffer).toString('utf8'));
      if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NOTIFY } }));
        setTimeout(() => resolve(ws), 0);
      } else if (msg.type === 'next') onNext(msg.payload.data.notificationAdded.createdAt);
      else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
}
