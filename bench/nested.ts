import { deepStrictEqual } from 'node:assert';
import { spawn } from 'node:child_process';
import { NESTED } from './floor.js';
import { type BenchDatabase, body, freePort, login, sleep, startServerProcess } from './lib.js';
import { type LoadResult, failures, runLoad } from './load.js';
import { BENCH_PASSWORD, BENCH_SECRET, type Seeded, benchEnv } from './seed.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;
/** Alternating rounds: this machine's speed drifts, so the verdict is the median of several. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

export interface NestedResult {
  orbit: LoadResult[];
  floor: LoadResult[];
  /** Orbit req/s over the floor's, per round. */
  ratios: number[];
  /** Average statements per request, measured over the runs (batching depends on timing). */
  statements: number;
  floorStatements: number;
  bytes: number;
  errors: number;
}

/**
 * 1. The nested read on PostgreSQL: Orbit against the floor (bench/floor.ts), one after the other on
 * the same core with the same pool size, alternating, after each has answered the same JSON.
 */
export async function nested(db: BenchDatabase, seeded: Seeded): Promise<NestedResult> {
  const server = await startServerProcess(benchEnv({ ...db.env, METRICS: 'true' }));
  const floorPort = await freePort();
  const floor = spawn('taskset', ['-c', '0', process.execPath, '--import', 'tsx', 'bench/floor.ts'], {
    env: { ...process.env, DATABASE_URL: db.env.DATABASE_URL, JWT_SECRET: BENCH_SECRET, PORT: String(floorPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  try {
    const token = await login(server.url, seeded.reader.email, BENCH_PASSWORD);
    const headers = { authorization: `Bearer ${token}` };
    const ask = async (url: string) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: body(NESTED),
      });
      return { status: res.status, text: await res.text() };
    };
    for (let i = 0; i < 200 && (await ask(floorUrl).catch(() => ({ status: 0, text: '' }))).status !== 200; i++)
      await sleep(50);
    const [orbitAnswer, floorAnswer] = [await ask(server.url), await ask(floorUrl)];
    const parsed = JSON.parse(orbitAnswer.text);
    if (
      parsed.errors ||
      parsed.data.taskLists.length !== 10 ||
      parsed.data.taskLists.some((l: any) => l.tasks.edges.length !== 20)
    ) {
      throw new Error(`unexpected Orbit answer: ${orbitAnswer.text.slice(0, 300)}`);
    }
    deepStrictEqual(JSON.parse(floorAnswer.text), parsed, 'the floor must answer what Orbit answers');

    const spec = (url: string) => ({
      url: `${url}/graphql`,
      bodies: [body(NESTED)],
      headers,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      checkBytes: 4096,
    });
    const orbit: LoadResult[] = [];
    const floorRuns: LoadResult[] = [];
    const counted = { orbit: 0, floor: 0, orbitRequests: 0, floorRequests: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      await runLoad({ ...spec(server.url), durationS: 3 });
      let before = await statementsOf(server.url);
      orbit.push(await runLoad(spec(server.url)));
      counted.orbit += (await statementsOf(server.url)) - before;
      counted.orbitRequests += orbit.at(-1)!.requests;
      await runLoad({ ...spec(floorUrl), durationS: 3 });
      before = await floorStatements(floorUrl);
      floorRuns.push(await runLoad(spec(floorUrl)));
      counted.floor += (await floorStatements(floorUrl)) - before;
      counted.floorRequests += floorRuns.at(-1)!.requests;
    }
    const errors = failures(...orbit, ...floorRuns);
    return {
      orbit,
      floor: floorRuns,
      ratios: orbit.map((o, i) => o.rps / floorRuns[i]!.rps),
      statements: counted.orbit / counted.orbitRequests,
      floorStatements: counted.floor / counted.floorRequests,
      bytes: orbitAnswer.text.length,
      errors,
    };
  } finally {
    floor.kill('SIGTERM');
    await server.stop();
  }
}

const floorStatements = async (url: string) =>
  ((await (await fetch(`${url}/statements`)).json()) as { statements: number }).statements;

/** Sum of SQL statements over every operation so far, from /metrics. */
async function statementsOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('orbit_graphql_operation_sql_statements_sum{operation="Nested"}'));
  return line ? Number(line.split(' ').pop()) : NaN;
}
