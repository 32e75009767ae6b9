import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { assistantBench } from './assistant.js';
import { authCost } from './auth-cost.js';
import { coldStart } from './cold-start.js';
import { fanout } from './fanout.js';
import { hostile } from './hostile.js';
import { PG_ADMIN, freshDatabase, machine, startFlags } from './lib.js';
import { loginStorm } from './login-storm.js';
import { mutations } from './mutations.js';
import { nested } from './nested.js';
import { report } from './report.js';
import { NAMES, type Results } from './results.js';
import { mailBench } from './mail.js';
import { searchBench } from './search.js';
import { trackerBench } from './tracker.js';
import { captureBench } from './capture.js';
import { seedSessions, seedWorkspace } from './seed.js';

/**
 * `npm run bench [names...]`: the benchmarks (nested, auth, login, mutations, fanout, cold-start, hostile, assistant, search, mail, tracker, capture;
 * all by default) on this machine, written to bench/RESULTS.md and bench/results.json. Not part of
 * `npm test`. Exits non-zero when a benchmark saw errors. BENCH_DATABASE_URL (default: the local
 * server at 127.0.0.1:5432/test) is where the PostgreSQL runs create their databases.
 */
const only = process.argv.slice(2);
const unknown = only.filter((n) => !(NAMES as readonly string[]).includes(n));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${NAMES.join(', ')})`);
  process.exit(2);
}
const want = (name: (typeof NAMES)[number]) => only.length === 0 || only.includes(name);
const FANOUT_SIZES = (process.env.BENCH_FANOUT ?? '1000,10000').split(',').map(Number);

const today = new Date().toISOString().slice(0, 10);
const empty: Results = { dates: {}, auth: {}, login: {}, mutations: {}, fanout: [], coldStart: {} };
// A partial run replaces the sections it runs and keeps the others from the last run.
const previous: Results =
  only.length && existsSync('bench/results.json')
    ? { ...empty, ...(JSON.parse(readFileSync('bench/results.json', 'utf8')) as Partial<Results>) }
    : empty;
const results: Results = {
  dates: { ...previous.dates, ...Object.fromEntries(NAMES.filter(want).map((n) => [n, today])) },
  nested: want('nested') ? undefined : previous.nested,
  auth: want('auth') ? {} : previous.auth,
  login: want('login') ? {} : previous.login,
  mutations: want('mutations') ? {} : previous.mutations,
  fanout: want('fanout') ? [] : previous.fanout,
  coldStart: want('cold-start') ? {} : previous.coldStart,
  hostile: want('hostile') ? undefined : previous.hostile,
  assistant: want('assistant') ? [] : previous.assistant,
  search: want('search') ? [] : previous.search,
  mail: want('mail') ? [] : previous.mail,
  tracker: want('tracker') ? [] : previous.tracker,
  capture: want('capture') ? [] : previous.capture,
};
const log = (name: string, value: unknown) => console.log(JSON.stringify({ bench: name, ...(value as object) }));

for (const kind of ['PostgreSQL', 'PGlite'] as const) {
  const needed =
    (kind === 'PostgreSQL' && want('nested')) || want('auth') || want('login') || want('mutations') || want('fanout');
  if (!needed) continue;
  const db = await freshDatabase(kind);
  try {
    const seeded = await seedWorkspace(db.env);
    const sessions = want('fanout') ? await seedSessions(db.env, seeded.userIds[2]!, Math.max(...FANOUT_SIZES)) : [];
    if (kind === 'PostgreSQL' && want('nested')) log('nested', (results.nested = await nested(db, seeded)));
    if (want('auth')) log(`auth ${kind}`, (results.auth[kind] = await authCost(db, seeded)));
    if (want('login')) log(`login ${kind}`, (results.login[kind] = await loginStorm(db, seeded)));
    if (want('mutations')) log(`mutations ${kind}`, (results.mutations[kind] = await mutations(db, seeded)));
    if (want('fanout')) {
      for (const n of FANOUT_SIZES) {
        const result = await fanout(db, seeded, sessions, n);
        results.fanout.push({ db: kind, result });
        log(`fanout ${kind} ${n}`, result);
      }
    }
  } finally {
    await db.drop();
  }
}
if (want('hostile')) {
  // Anonymous documents: the database is never reached, so one empty PGlite serves.
  const db = await freshDatabase('PGlite');
  try {
    log('hostile', (results.hostile = await hostile(db)));
  } finally {
    await db.drop();
  }
}
/** Runs a benchmark on a fresh database of each kind, one after the other. */
async function onEachDatabase<R>(
  name: string,
  run: (db: Awaited<ReturnType<typeof freshDatabase>>) => Promise<R>,
  into: R[],
): Promise<void> {
  for (const kind of ['PGlite', 'PostgreSQL'] as const) {
    const db = await freshDatabase(kind);
    try {
      const result = await run(db);
      into.push(result);
      log(`${name} ${kind}`, result);
    } finally {
      await db.drop();
    }
  }
}
if (want('assistant')) await onEachDatabase('assistant', assistantBench, results.assistant!);
if (want('search')) await onEachDatabase('search', searchBench, results.search!);
if (want('mail')) await onEachDatabase('mail', mailBench, results.mail!);
if (want('tracker')) await onEachDatabase('tracker', trackerBench, results.tracker!);
if (want('capture')) await onEachDatabase('capture', captureBench, results.capture!);
if (want('cold-start'))
  for (const kind of ['PGlite', 'PostgreSQL'] as const)
    log(`cold-start ${kind}`, (results.coldStart[kind] = await coldStart(kind)));

// Only what ran now counts: kept sections were judged when they ran.
const errors = [
  want('nested') ? (results.nested?.errors ?? 0) : 0,
  ...(want('auth') ? Object.values(results.auth).map((r) => r.errors) : []),
  ...(want('login') ? Object.values(results.login).map((r) => r.errors) : []),
  ...(want('mutations') ? Object.values(results.mutations).map((r) => r.errors) : []),
  ...(want('fanout') ? results.fanout.map((f) => f.result.errors) : []),
  want('hostile') ? (results.hostile?.errors ?? 0) : 0,
  ...(want('assistant') ? (results.assistant ?? []).map((a) => a.errors) : []),
  ...(want('search') ? (results.search ?? []).map((a) => a.errors) : []),
  ...(want('mail') ? (results.mail ?? []).map((a) => a.errors) : []),
  ...(want('tracker') ? (results.tracker ?? []).map((a) => a.errors + a.doubleClaims) : []),
  ...(want('capture') ? (results.capture ?? []).map((a) => a.errors) : []),
].reduce((a, b) => a + b, 0);

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const versions = [
  '@apollo/server',
  'graphql',
  'type-graphql',
  'graphql-ws',
  'ws',
  'drizzle-orm',
  'postgres',
  '@electric-sql/pglite',
  'autocannon',
]
  .map(
    (p) =>
      `${p} ${(JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')) as { version: string }).version}`,
  )
  .join(', ');
const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
const [{ version: pgVersion } = { version: 'unknown' }] = await admin<{ version: string }[]>`select version()`;
await admin.end();
const header = [
  `Written by \`npm run bench\`; each benchmark was last run on: ${NAMES.map((n) => `${n} ${results.dates[n] ?? 'never'}`).join(', ')}.`,
  '',
  `- Machine: ${machine()}; a virtual machine whose speed drifts between runs, which is why every figure is a ratio measured side by side in one run, in alternating rounds.`,
  `- Server: \`node ${startFlags().join(' ')} dist/main.js\` (as \`npm start\`), NODE_ENV=production, pinned to core 0 with taskset; load generators (autocannon, graphql-ws clients) on core 1; PostgreSQL unpinned.`,
  `- Orbit ${pkg.version}; ${versions}`,
  `- PostgreSQL: ${pgVersion.split(',')[0]} at ${PG_ADMIN.replace(/\/\/[^@]*@/, '//')}; PGlite in-process.`,
  `- Errors seen in this run: ${errors}.`,
].join('\n');
writeFileSync('bench/RESULTS.md', report(header, results));
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote bench/RESULTS.md and bench/results.json; errors: ${errors}`);
process.exit(errors > 0 ? 1 : 0);
