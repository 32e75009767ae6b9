import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

/**
 * The load generator, run as its own process (`runLoad` starts it, pinned to the other core):
 * autocannon against one endpoint, with GraphQL errors inside 200 answers counted as errors.
 */
export interface LoadSpec {
  url: string;
  /** POST bodies, sent round-robin (one each per request). */
  bodies: string[];
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  /** Answers of this many bytes or less are checked for a GraphQL `errors` member. */
  checkBytes?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  graphqlErrors: number;
}

/** Everything that went wrong in some runs: transport errors, non-2xx answers, GraphQL errors. */
export const failures = (...runs: LoadResult[]) => runs.reduce((n, r) => n + r.errors + r.non2xx + r.graphqlErrors, 0);

async function run(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let graphqlErrors = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.headers },
        setupRequest: (req) => ({ ...req, body: spec.bodies[next++ % spec.bodies.length] }),
        onResponse: (status, body) => {
          if (status === 200 && body.length <= (spec.checkBytes ?? 1 << 20) && body.includes('"errors":'))
            graphqlErrors += 1;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
  };
}

/** Runs one load in a second process, on `core` when taskset is there; resolves with its result. */
export function runLoad(spec: LoadSpec, core: number | null = 1): Promise<LoadResult> {
  return runScript('bench/load.ts', spec, core);
}

/** Runs a bench script with its spec as the argument, pinned to `core`; its last line of output is the result. */
export function runScript<T>(script: string, spec: unknown, core: number | null = 1): Promise<T> {
  const args = ['--import', 'tsx', script, JSON.stringify(spec)];
  const child =
    core === null
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('taskset', ['-c', String(core), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as T);
      else reject(new Error(`${script} exited with ${code}: ${out.slice(-500)}`));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  console.log(JSON.stringify(await run(spec)));
}
