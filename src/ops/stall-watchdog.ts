import { Worker } from 'node:worker_threads';

/**
 * The watchdog's own thread. It reads the main thread's heartbeat counter; when it has not moved for
 * `limitMs`, it writes one log line to stderr and kills the process (SIGKILL: a blocked main thread
 * runs no signal handler, and process.exit in a worker ends only the worker).
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beats = new Int32Array(workerData.buffer);
let last = Atomics.load(beats, 0);
let since = Date.now();
setInterval(() => {
  const now = Atomics.load(beats, 0);
  if (now !== last) { last = now; since = Date.now(); return; }
  const blockedMs = Date.now() - since;
  if (blockedMs < workerData.limitMs) return;
  writeSync(2, JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, blockedMs,
    msg: 'the event loop has been blocked (a hung embedded database?): killing the process' }) + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.beatMs);
`;

/**
 * Kills the process when its event loop stays blocked for `limitMs`: a hung embedded database (PGlite
 * waiting forever after a failed WAL write) blocks the thread that would notice, answer /healthz or
 * handle a signal, so another thread watches. A supervisor then restarts the process.
 */
export function watchStalls(limitMs: number, beatMs = 500): () => void {
  const buffer = new SharedArrayBuffer(4);
  const beats = new Int32Array(buffer);
  const beat = setInterval(() => Atomics.add(beats, 0, 1), beatMs);
  beat.unref();
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { buffer, limitMs, beatMs } });
  worker.unref();
  return () => {
    clearInterval(beat);
    void worker.terminate();
  };
}
