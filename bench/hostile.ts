import 'reflect-metadata';
import { loadConfig } from '../src/shared/config.js';
import { operationLimits } from '../src/shared/limits.js';
import { hostileDocuments } from './hostile-documents.js';
import { type BenchDatabase, body, startServerProcess } from './lib.js';
import { type LoadResult, failures, runLoad } from './load.js';
import { runProbe } from './probe.js';
import { benchEnv } from './seed.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const HOSTILE_CLIENTS = 8;
const TYPENAME = '{ __typename }';

/** The documents of issue 11's report, which the server used to validate in full before refusing. */
export const REPORTED_ATTACKS: Record<string, string> = {
  aliases600: `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: me { id }`).join(' ')} }`,
  bytes85k: `{ ${'__typename '.repeat(7700)}}`,
  spreads5000: `{ ${'...F '.repeat(5000)} } fragment F on Query { __typename }`,
};

export interface HostileRun {
  /** One `{ __typename }` client on its own. */
  alone: LoadResult;
  /** The same client while the hostile clients run. */
  underLoad: LoadResult;
  /** The hostile clients (their answers are refusals or UNAUTHENTICATED errors, by design). */
  hostile: LoadResult;
}

export interface HostileResult {
  admitted: HostileRun[];
  reported: HostileRun[];
  /** underLoad p99 / alone p99 per round, for the admitted documents and for the reported attacks. */
  admittedRatios: number[];
  reportedRatios: number[];
  /** HTTP status of each document, sent once before the runs. */
  statuses: Record<string, number>;
  errors: number;
}

/**
 * 7. A `{ __typename }` client's latency while 8 anonymous clients send (a) the heaviest documents
 * the default limits admit and (b) the documents of the report that found the fault; alternating
 * with the client alone, in rounds. Target: p99 under load below 50 ms.
 */
export async function hostile(db: BenchDatabase): Promise<HostileResult> {
  const server = await startServerProcess(benchEnv(db.env));
  try {
    const url = `${server.url}/graphql`;
    const admitted = hostileDocuments(operationLimits(loadConfig(benchEnv(db.env))));
    const statuses: Record<string, number> = {};
    for (const [name, text] of Object.entries({ ...admitted, ...REPORTED_ATTACKS })) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(text),
      });
      statuses[name] = res.status;
      await res.arrayBuffer();
    }
    const probe = { url, body: body(TYPENAME), durationS: DURATION_S };
    const run = async (documents: Record<string, string>): Promise<HostileRun> => {
      const alone = await runProbe(probe);
      const load = runLoad({
        url,
        bodies: Object.values(documents).map((d) => body(d)),
        connections: HOSTILE_CLIENTS,
        durationS: DURATION_S + 2,
        checkBytes: 0,
      });
      await new Promise((r) => setTimeout(r, 1000));
      const underLoad = await runProbe(probe);
      return { alone, underLoad, hostile: await load };
    };
    await runProbe({ ...probe, durationS: 3 });
    const result = { admitted: [] as HostileRun[], reported: [] as HostileRun[] };
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    for (let round = 0; round < rounds; round++) {
      result.admitted.push(await run(admitted));
      result.reported.push(await run(REPORTED_ATTACKS));
    }
    const ratios = (runs: HostileRun[]) => runs.map((r) => r.underLoad.p99 / r.alone.p99);
    // Only the probe's answers must all be right; the hostile clients are refused by design.
    const probes = [...result.admitted, ...result.reported].flatMap((r) => [r.alone, r.underLoad]);
    return {
      ...result,
      admittedRatios: ratios(result.admitted),
      reportedRatios: ratios(result.reported),
      statuses,
      errors: failures(...probes),
    };
  } finally {
    await server.stop();
  }
}
