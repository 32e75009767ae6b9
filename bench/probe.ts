import { Agent, request } from 'node:http';
import { type LoadResult, runScript } from './load.js';

/**
 * A single client sending one request at a time for `durationS`, timing each with the monotonic
 * clock to the microsecond (autocannon reports whole milliseconds, too coarse for a sub-millisecond
 * answer). Run as its own process by `runProbe`; every answer must be 200 without `errors`.
 */
export interface ProbeSpec {
  url: string;
  body: string;
  durationS: number;
}

async function probe(spec: ProbeSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(spec.url);
  const times: number[] = [];
  let non2xx = 0;
  let graphqlErrors = 0;
  let errors = 0;
  const until = performance.now() + spec.durationS * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(spec.body);
      });
      times.push(performance.now() - started);
      if (status !== 200) non2xx += 1;
      else if (text.includes('"errors":')) graphqlErrors += 1;
    } catch {
      errors += 1;
    }
  }
  agent.destroy();
  const sorted = times.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN) * 100) / 100;
  return {
    requests: sorted.length,
    rps: sorted.length / spec.durationS,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
    errors,
    non2xx,
    graphqlErrors,
  };
}

/** Runs the probe in a second process, on `core` when taskset is there. */
export function runProbe(spec: ProbeSpec, core: number | null = 1): Promise<LoadResult> {
  return runScript('bench/probe.ts', spec, core);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await probe(JSON.parse(process.argv[2]!) as ProbeSpec)));
}
