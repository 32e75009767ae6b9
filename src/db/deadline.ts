import type { Sql } from 'postgres';

/**
 * The database could not be reached in time, or its connection failed: the request may be retried
 * later (SERVICE_UNAVAILABLE, HTTP 503 with Retry-After). Thrown by the deadline below and
 * recognised in postgres.js's connection errors by `isUnavailable`.
 */
export class DatabaseUnavailable extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(reason: string) {
    super(`The database is unavailable: ${reason}`);
  }
}

/**
 * postgres.js's connection errors and the server's "shutting down / starting up" states. Not
 * CONNECTION_ENDED or CONNECTION_DESTROYED: those follow this process's own end() of the pool.
 */
const CONNECTION_CODES = new Set([
  'DATABASE_UNAVAILABLE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // admin_shutdown, crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
]);

export function isUnavailable(error: unknown): boolean {
  let e = error as { code?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

type Pending = Promise<unknown> & { values(): Promise<unknown>; cancel(): unknown };

/** `work` within `ms`, or DatabaseUnavailable (and `onLate` runs, e.g. to cancel the query). */
function within<T>(work: Promise<T>, ms: number, what: string, onLate?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onLate?.();
      reject(new DatabaseUnavailable(`${what} took longer than ${ms} ms`));
    }, ms);
    work.finally(() => clearTimeout(timer)).then(resolve, reject);
  });
}

/**
 * A postgres.js client whose waits are bounded on this side of the wire, where the server's
 * statement_timeout cannot help (a paused server, a partition, a pool whose connections are all
 * stuck): each statement (its wait for a connection included) and each transaction's start and
 * commit fail after `ms` with DatabaseUnavailable. Inside a transaction the same holds for every
 * statement; a transaction whose start came too late rolls back as soon as it starts.
 *
 * `over` says that the transaction this client belongs to has ended. postgres.js lets a
 * transaction's body go on after its connection dropped, and sends the body's later statements to
 * that connection once the pool has opened it again: outside any transaction, each committing on
 * its own. They fail here instead.
 */
export function withDeadlines(sql: Sql, ms: number, over: () => boolean = () => false): Sql {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === 'unsafe')
        return (...args: Parameters<Sql['unsafe']>) => {
          if (over()) return refused();
          const query = target.unsafe(...args) as unknown as Pending;
          const cancel = () => void Promise.resolve(query.cancel()).catch(() => {});
          return {
            values: () => within(query.values(), ms, 'a statement', cancel),
            then: (ok: (v: unknown) => unknown, ko: (e: unknown) => unknown) =>
              within(query, ms, 'a statement', cancel).then(ok, ko),
          };
        };
      if (prop === 'begin' || prop === 'savepoint')
        return (...args: unknown[]) => (over() ? refused() : bounded(target, prop, args, ms, over));
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A statement of a transaction that has ended (committed, rolled back, or its connection lost). */
function refused() {
  const failed = () => Promise.reject(new DatabaseUnavailable('its transaction has already ended'));
  return { values: failed, then: (ok: (v: unknown) => unknown, ko: (e: unknown) => unknown) => failed().then(ok, ko) };
}

/**
 * A transaction (or savepoint) whose start (a connection, BEGIN) and end (COMMIT) are each bounded;
 * its body gets a bounded client, so each of its statements is too, and none runs once it has ended.
 */
function bounded(
  target: Sql,
  method: 'begin' | 'savepoint',
  args: unknown[],
  ms: number,
  over: () => boolean,
): Promise<unknown> {
  const body = args.at(-1) as (tx: Sql) => Promise<unknown>;
  let ended = false;
  return new Promise((resolve, reject) => {
    let phase: 'start' | 'body' | 'commit' = 'start';
    let late = false;
    const onLate = () => {
      late = phase === 'start';
      reject(
        new DatabaseUnavailable(
          `${phase === 'start' ? 'starting' : 'committing'} a transaction took longer than ${ms} ms`,
        ),
      );
    };
    let timer = setTimeout(onLate, ms);
    const open = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    open
      .call(target, ...args.slice(0, -1), async (tx: Sql) => {
        // It started after its caller gave up: roll back at once.
        if (late) throw new DatabaseUnavailable('the transaction started after its deadline');
        clearTimeout(timer);
        phase = 'body';
        try {
          return await body(withDeadlines(tx, ms, () => ended || over()));
        } finally {
          phase = 'commit';
          timer = setTimeout(onLate, ms);
        }
      })
      .finally(() => {
        ended = true;
        clearTimeout(timer);
      })
      .then(resolve, reject);
  });
}
