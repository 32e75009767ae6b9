// Preloaded into the server process by the benchmarks only (node --expose-gc --import ./bench/gc-hook.ts):
// on SIGUSR2, collect garbage and write process.memoryUsage() next to the pid, so memory per
// connection is measured after a full GC rather than at whatever moment the collector last ran.
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}-${Date.now()}.heapsnapshot`);
  writeFileSync(`/tmp/orbit-bench-mem-${process.pid}.json`, JSON.stringify(process.memoryUsage()));
});
