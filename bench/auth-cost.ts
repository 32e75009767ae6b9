import { type BenchDatabase, body, gql, login, startServerProcess } from './lib.js';
import { type LoadResult, failures, runLoad } from './load.js';
import { BENCH_PASSWORD, type Seeded, benchEnv } from './seed.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 10;
export const ME = 'query Me { me { id } }';
const TYPENAME = '{ __typename }';

export interface AuthCostResult {
  anonymous: LoadResult[];
  me: LoadResult[];
  /** me req/s over __typename req/s, per round. */
  ratios: number[];
  /** The same with VIEWER_CACHE_MAX=0: what the token cache buys. */
  uncached: { anonymous: LoadResult; me: LoadResult; ratio: number };
  errors: number;
}

/**
 * 2. The cost of authentication: `{ me { id } }` with a Bearer token against `{ __typename }` without
 * one, on the same server, alternating; then again with the verified-token cache turned off.
 */
export async function authCost(db: BenchDatabase, seeded: Seeded): Promise<AuthCostResult> {
  const measure = async (cache: boolean, rounds: number) => {
    const server = await startServerProcess(benchEnv({ ...db.env, ...(cache ? {} : { VIEWER_CACHE_MAX: '0' }) }));
    try {
      const token = await login(server.url, seeded.measured.email, BENCH_PASSWORD);
      if ((await gql(server.url, ME, {}, token)).me.id !== seeded.measured.id)
        throw new Error('me answered someone else');
      const url = `${server.url}/graphql`;
      const me = {
        url,
        bodies: [body(ME)],
        headers: { authorization: `Bearer ${token}` },
        connections: CONNECTIONS,
        durationS: DURATION_S,
      };
      const anonymous = { url, bodies: [body(TYPENAME)], connections: CONNECTIONS, durationS: DURATION_S };
      const out = { me: [] as LoadResult[], anonymous: [] as LoadResult[] };
      await runLoad({ ...anonymous, durationS: 3 });
      await runLoad({ ...me, durationS: 3 });
      for (let round = 0; round < rounds; round++) {
        out.anonymous.push(await runLoad(anonymous));
        out.me.push(await runLoad(me));
      }
      return out;
    } finally {
      await server.stop();
    }
  };
  const cached = await measure(true, Number(process.env.BENCH_ROUNDS ?? 3));
  const uncached = await measure(false, 1);
  const all = [...cached.anonymous, ...cached.me, ...uncached.anonymous, ...uncached.me];
  return {
    anonymous: cached.anonymous,
    me: cached.me,
    ratios: cached.me.map((m, i) => m.rps / cached.anonymous[i]!.rps),
    uncached: {
      anonymous: uncached.anonymous[0]!,
      me: uncached.me[0]!,
      ratio: uncached.me[0]!.rps / uncached.anonymous[0]!.rps,
    },
    errors: failures(...all),
  };
}
