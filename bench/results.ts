import type { AssistantResult } from './assistant.js';
import type { AuthCostResult } from './auth-cost.js';
import type { ColdStartResult } from './cold-start.js';
import type { FanoutResult } from './fanout.js';
import type { HostileResult } from './hostile.js';
import type { DbKind } from './lib.js';
import type { LoginStormResult } from './login-storm.js';
import type { MailBenchResult } from './mail.js';
import type { MutationResult } from './mutations.js';
import type { NestedResult } from './nested.js';
import type { SearchBenchResult } from './search.js';
import type { TrackerBenchResult } from './tracker.js';
import type { CaptureBenchResult } from './capture.js';

/** The benchmarks `npm run bench` knows, in the order it runs them. */
export const NAMES = [
  'nested',
  'auth',
  'login',
  'mutations',
  'fanout',
  'cold-start',
  'hostile',
  'assistant',
  'search',
  'mail',
  'tracker',
  'capture',
] as const;

/** What a run writes to bench/results.json and bench/report.ts turns into RESULTS.md. */
export interface Results {
  /** The day each benchmark was last run: a partial run keeps the others' results. */
  dates: Partial<Record<(typeof NAMES)[number], string>>;
  nested?: NestedResult;
  auth: Partial<Record<DbKind, AuthCostResult>>;
  login: Partial<Record<DbKind, LoginStormResult>>;
  mutations: Partial<Record<DbKind, MutationResult>>;
  fanout: Array<{ db: DbKind; result: FanoutResult }>;
  coldStart: Partial<Record<DbKind, ColdStartResult>>;
  hostile?: HostileResult;
  assistant?: AssistantResult[];
  search?: SearchBenchResult[];
  mail?: MailBenchResult[];
  tracker?: TrackerBenchResult[];
  capture?: CaptureBenchResult[];
}
