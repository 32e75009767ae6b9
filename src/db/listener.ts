import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';

/** How often a listener checks that its LISTEN still hears, and how long it waits for the echo. */
export const LISTEN_PROBE_MS = 2000;
const PROBE_WAIT_MS = 1000;
/** After a failed reconnect, how soon the next one is tried. */
const RECONNECT_RETRY_MS = 250;

export interface ListenerOptions {
  /** A new postgres.js instance for the listening connection (max 1). */
  make: () => Sql;
  /** Sends a NOTIFY through the pool (bounded by its deadline). */
  notify: (channel: string, payload: string) => Promise<unknown>;
  channel: string;
  onPayload: (payload: string) => void;
  /** Called whenever LISTEN is (re-)established. */
  onListen?: () => void;
  onLost?: (reason: string) => void;
  probeMs?: number;
}

/**
 * LISTEN that comes back. postgres.js re-LISTENs when its listening connection closes, but drops the
 * listener for good when that one attempt fails (PostgreSQL still unreachable: a partition, a
 * restart) and cannot see a connection that died silently. So the listener probes itself: every
 * `probeMs` a NOTIFY on a channel of its own goes out through the pool, and when it is not heard
 * back within a second the listening connection is replaced by a new one. A probe that cannot be
 * sent (the database is unreachable) concludes nothing; the next one tries again.
 */
export async function resilientListen(options: ListenerOptions): Promise<() => Promise<void>> {
  const probeChannel = `orbit_probe_${randomBytes(6).toString('hex')}`;
  let current: Sql | null = null;
  let sent = 0;
  let busy = false;
  const state = { stopped: false, heard: 0 };
  // Read through functions: both change while a probe awaits.
  const stopped = () => state.stopped;
  const heard = () => state.heard;

  const connect = async () => {
    const sql = options.make();
    try {
      await sql.listen(options.channel, options.onPayload, () => options.onListen?.());
      await sql.listen(probeChannel, (payload) => (state.heard = Math.max(state.heard, Number(payload))));
    } catch (error) {
      void sql.end({ timeout: 0 }).catch(() => {});
      throw error;
    }
    if (state.stopped) void sql.end({ timeout: 0 }).catch(() => {});
    else current = sql;
  };

  const replace = async (reason: string) => {
    options.onLost?.(reason);
    const old = current;
    current = null;
    void old?.end({ timeout: 0 }).catch(() => {});
    await connect();
  };

  // Looked at again soon, not at the next probe: LISTEN, and the re-check of every socket that
  // follows it, come back within a fraction of a second of the database.
  const soon = () => {
    if (!stopped()) setTimeout(() => void probe(), RECONNECT_RETRY_MS).unref();
  };

  const probe = async (): Promise<void> => {
    if (busy || state.stopped) return;
    busy = true;
    try {
      if (!current) return await replace('the last reconnect failed');
      const n = ++sent;
      try {
        await options.notify(probeChannel, String(n));
      } catch {
        // The pool cannot reach the database either: nothing to conclude yet.
        return soon();
      }
      const until = Date.now() + PROBE_WAIT_MS;
      while (heard() < n && Date.now() < until && !stopped()) await new Promise((r) => setTimeout(r, 20));
      if (heard() < n && !stopped()) await replace('a probe went unheard');
    } catch {
      // Still unreachable.
      soon();
    } finally {
      busy = false;
    }
  };

  await connect();
  const timer = setInterval(() => void probe(), options.probeMs ?? LISTEN_PROBE_MS);
  timer.unref();
  return async () => {
    state.stopped = true;
    clearInterval(timer);
    const sql = current;
    current = null;
    await sql?.end({ timeout: 1 }).catch(() => {});
  };
}
