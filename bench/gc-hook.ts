// Preloaded into the server process by the benchmarks only (node --expose-gc --import ./bench/gc-hook.ts):
// on SIGUSR2, collect garbage and write process.memoryUsage() and V8's heap spaces next to the pid.
// The young generation is first filled to its maximum by a burst of short-lived objects, as any burst
// of real work fills it: otherwise it stays at whatever size the last burst or V8's idle memory
// reducer left it (1 to 64 MB with npm start's 32 MB semi-spaces), and readings of RSS taken minutes
// apart would differ by tens of MB for reasons that have nothing to do with what is being measured.
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

process.on('SIGUSR2', () => {
  const ring: unknown[] = new Array(1024);
  for (let i = 0; i < 3_000_000; i++) ring[i & 1023] = { i, text: `young ${i}` };
  ring.fill(undefined);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  if (process.env.BENCH_HEAP_SNAPSHOT)
    writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}-${Date.now()}.heapsnapshot`);
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  // Resident memory by kind: anonymous (heap, malloc, buffers) and file-backed (code of node and its
  // libraries, which the kernel may drop and reload at any time).
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  writeFileSync(
    `/tmp/orbit-bench-mem-${process.pid}.json`,
    JSON.stringify({ ...process.memoryUsage(), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), spaces }),
  );
});
