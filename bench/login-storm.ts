import { type BenchDatabase, body, gql, login, startServerProcess } from './lib.js';
import { type LoadResult, failures, runLoad } from './load.js';
import { BENCH_PASSWORD, type Seeded, benchEnv } from './seed.js';
import { ME } from './auth-cost.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10) + 5;
const LOGIN =
  'mutation Login($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }';

export interface LoginStormResult {
  /** `me` alone, before the storm. */
  quiet: LoadResult;
  logins: LoadResult;
  /** `me` from other clients during the storm. */
  during: LoadResult;
  errors: number;
}

/**
 * 3. A login storm: logins of 100 users as fast as 8 clients can send them, and at the same time
 * `me` from 2 other clients, whose latency shows whether the event loop stays responsive while
 * argon2 runs on the thread pool. Both load generators share the other core.
 */
export async function loginStorm(db: BenchDatabase, seeded: Seeded): Promise<LoginStormResult> {
  const server = await startServerProcess(benchEnv(db.env));
  try {
    const url = `${server.url}/graphql`;
    const token = await login(server.url, seeded.measured.email, BENCH_PASSWORD);
    await gql(server.url, ME, {}, token);
    const me = {
      url,
      bodies: [body(ME)],
      headers: { authorization: `Bearer ${token}` },
      connections: 2,
      durationS: DURATION_S,
    };
    const logins = {
      url,
      bodies: seeded.emails.slice(0, 100).map((i) => body(LOGIN, { i, p: BENCH_PASSWORD })),
      connections: 8,
      durationS: DURATION_S,
    };
    await runLoad({ ...me, durationS: 3 });
    const quiet = await runLoad(me);
    await runLoad({ ...logins, durationS: 3 });
    const [storm, during] = await Promise.all([runLoad(logins), runLoad(me)]);
    return { quiet, logins: storm, during, errors: failures(quiet, storm, during) };
  } finally {
    await server.stop();
  }
}
