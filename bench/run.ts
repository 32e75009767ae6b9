import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { fanout } from './fanout.js';
import { machine } from './lib.js';

/**
 * `npm run bench`: every benchmark on this machine, written to bench/RESULTS.md. Not part of
 * `npm test`. Exits non-zero when a benchmark saw errors. BENCH_DATABASE_URL (default: the local
 * PostgreSQL at 127.0.0.1:5432/test) is where the PostgreSQL runs make their own database.
 */
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const name = `orbit_bench_${Date.now()}`;
  try {
    const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {}, connect_timeout: 3 });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
  } catch {
    return null;
  }
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function onBoth<T>(run: (env: Record<string, string>, db: 'PGlite' | 'PostgreSQL') => Promise<T>): Promise<Array<{ db: string; result: T }>> {
  const out: Array<{ db: string; result: T }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-'));
  out.push({ db: 'PGlite', result: await run({ DATA_DIR: join(dir, 'data') }, 'PGlite') });
  const pg = await pgDatabase();
  if (pg) {
    out.push({ db: 'PostgreSQL', result: await run({ DATABASE_URL: pg.url, DATA_DIR: join(dir, 'pg') }, 'PostgreSQL') });
    await pg.drop();
  } else console.error(`no PostgreSQL at ${PG_ADMIN}: PostgreSQL rows skipped`);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const sections: string[] = [];
let errors = 0;

if (want('fanout')) {
  const rows: string[] = [];
  for (const n of [1000, 10_000]) {
    for (const { db, result: r } of await onBoth((env) => fanout(n, env))) {
      errors += r.errors;
      rows.push(
        `| ${db} | ${n} | ${r.rssPerConnectionKB.toFixed(1)} KB | ${r.heapPerConnectionKB.toFixed(1)} KB | ${ms(r.fromEventP50)} / ${ms(r.fromEventP95)} / ${ms(r.fromEventP99)} | ${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)} | ${r.delivered}/${n} |`,
      );
      console.log(JSON.stringify({ bench: 'fanout', db, ...r }));
    }
  }
  sections.push(`## 5. Subscription fan-out and memory

N graphql-ws connections of one user, each subscribed to \`notificationAdded\`; the server's memory
after a full GC and 10 s idle, before and after connecting, divided by N; then one notification
(\`shareTaskList\` to that user) delivered to all N. Latency "from the event" is receive time minus
the notification row's \`created_at\` (written with \`clock_timestamp()\` inside the mutation, same
machine clock); "from the request" starts when the mutation is sent. One warm-up event precedes the
measured one. Server pinned to core 0, clients on core 1. Targets: under 15 KB RSS per idle
subscribed connection; p95 under 100 ms for 1,000 subscribers.

| database | connections | RSS / connection | heap / connection | from the event p50 / p95 / p99 | from the request p50 / p95 / p99 | delivered |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const versions = ['@apollo/server', 'graphql', 'type-graphql', 'graphql-ws', 'ws', 'drizzle-orm', 'postgres', '@electric-sql/pglite']
  .map((p) => `${p} ${JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')).version}`)
  .join(', ');
const header = `# Benchmark results

Written by \`npm run bench\` (${only.length ? `only: ${only.join(', ')}` : 'all benchmarks'}) on ${new Date().toISOString().slice(0, 10)}.

- Machine: ${machine()}
- Orbit ${pkg.version}; ${versions}
- PostgreSQL: ${PG_ADMIN.replace(/\/\/[^@]*@/, '//')}
`;
const file = 'bench/RESULTS.md';
writeFileSync(file, `${header}\n${sections.join('\n')}`);
console.log(`wrote ${file}`);
process.exit(errors > 0 ? 1 : 0);
