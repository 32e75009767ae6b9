import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Sub<T = any> {
  values: T[];
  errors: unknown[];
  /** Resolves with the n-th value (1-based) once it has arrived. */
  nth(n: number, timeoutMs?: number): Promise<T>;
  completed: Promise<void>;
  stop(): void;
}

export interface WsClient {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  subscribe<T = any>(query: string, variables?: Record<string, unknown>): Sub<T>;
  dispose(): Promise<void>;
}

/** A real graphql-ws client over a real socket; no retries, so close codes are seen as they are. */
export function wsClient(
  httpUrl: string,
  connectionParams?: Record<string, unknown>,
  headers?: Record<string, string>,
): WsClient {
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    },
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      closed: (e) =>
        resolveClosed({ code: (e as { code: number }).code, reason: String((e as { reason?: string }).reason) }),
    },
  });
  return {
    client,
    closed,
    subscribe(query, variables) {
      const values: any[] = [];
      const errors: unknown[] = [];
      const waiters: Array<{ n: number; resolve: (v: any) => void }> = [];
      let done!: () => void;
      const completed = new Promise<void>((r) => (done = r));
      const stop = client.subscribe(
        { query, variables },
        {
          next: (result) => {
            if (result.errors) errors.push(...result.errors);
            if (result.data) {
              values.push(result.data);
              for (const w of waiters.filter((w) => values.length >= w.n)) w.resolve(values[w.n - 1]);
            }
          },
          error: (e) => {
            errors.push(e);
            done();
          },
          complete: () => done(),
        },
      );
      return {
        values,
        errors,
        completed,
        stop,
        nth(n, timeoutMs = 20_000) {
          if (values.length >= n) return Promise.resolve(values[n - 1]);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(
              () =>
                reject(new Error(`value ${n} did not arrive (got ${values.length}, errors ${JSON.stringify(errors)})`)),
              timeoutMs,
            );
            waiters.push({ n, resolve: (v) => (clearTimeout(timer), resolve(v)) });
          });
        },
      };
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails with `what` after timeoutMs. For states reached by events, never a fixed sleep. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface WithBus {
  server: { app: { bus: { listenerCount(key: string): number } } };
}

/** Resolves once `count` subscriptions wait on the bus key (e.g. `notification:<userId>`, `task:<listId>`). */
export function subscribed(server: WithBus, key: string, count = 1): Promise<void> {
  return waitFor(() => server.server.app.bus.listenerCount(key) >= count, `${count} subscription(s) on ${key}`);
}

/** The first value from index `from` (0-based) on that satisfies `pred`: skips the sentinels untilLive fired. */
export async function nextWhere<T>(sub: Sub<T>, from: number, pred: (value: T) => boolean): Promise<T> {
  for (let n = from + 1; ; n++) {
    const value = await sub.nth(n);
    if (pred(value)) return value;
  }
}

/**
 * For a subscription on another process (where the bus cannot be asked): fires a harmless event
 * until one reaches the subscription, and returns how many values it holds then. Events arrive in
 * commit order, so no earlier one can arrive after that.
 */
export async function untilLive(sub: Sub, fire: () => Promise<unknown>, timeoutMs = 20_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const before = sub.values.length;
    await fire();
    const wait = Date.now() + 250;
    while (Date.now() < wait) {
      if (sub.values.length > before) return sub.values.length;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw new Error('the subscription never received an event');
}
