import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '../tests/helpers/process.js';

export { freePort };

export type DbKind = 'PGlite' | 'PostgreSQL';
/** Where the PostgreSQL runs make their own databases. */
export const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  kind: DbKind;
  /** DATA_DIR or DATABASE_URL (with a DATA_DIR for the outbox). */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A new empty database: a PGlite data directory, or a database on the PostgreSQL server. */
export async function freshDatabase(kind: DbKind): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-bench-'));
  if (kind === 'PGlite')
    return {
      kind,
      env: { DATA_DIR: join(dir, 'data') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  const name = `orbit_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: url.toString(), DATA_DIR: dir, SECRETS_KEY: 'cd'.repeat(32) },
    drop: async () => {
      const a = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** How `npm start` runs the server: its node flags and its entry (dist/main.js, built by `npm run build`). */
export function startCommand(): { flags: string[]; entry: string } {
  const words = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
    .split(/\s+/)
    .slice(1);
  return {
    flags: words.filter((w) => w.startsWith('--')),
    entry: words.find((w) => w.endsWith('.js')) ?? 'dist/main.js',
  };
}

export function startFlags(): string[] {
  return startCommand().flags;
}

/**
 * Starts the built server (as `npm start` does) as its own process, pinned to one core when taskset is available; startMs is
 * the time from spawn to the first ready answer (polled every 10 ms). `plain` starts it exactly as
 * `npm start` does, without the benchmark's memory hook.
 */
export async function startServerProcess(
  env: Record<string, string>,
  pinCore: number | null = 0,
  plain = false,
): Promise<ServerProcess & { startMs: number }> {
  const port = await freePort();
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const { flags, entry } = startCommand();
  // The memory hook is TypeScript: tsx loads it, the server itself is the build.
  const args = plain
    ? [...flags, entry]
    : [...flags, ...extra, '--expose-gc', '--import', 'tsx', '--import', './bench/gc-hook.ts', entry];
  const useTaskset = pinCore !== null && hasTaskset();
  // BENCH_SERVER_DIR: run the server of another checkout (an earlier commit) with these benchmarks.
  const cwd = process.env.BENCH_SERVER_DIR ?? process.cwd();
  const started = performance.now();
  const child = useTaskset
    ? spawn('taskset', ['-c', String(pinCore), process.execPath, ...args], {
        cwd,
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
    : spawn(process.execPath, args, {
        cwd,
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the server exited with ${child.exitCode ?? child.signalCode} before it was ready`);
    if (i > 6000) throw new Error('the server was not ready within 60 s');
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const startMs = performance.now() - started;
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    url,
    child,
    pid: child.pid!,
    startMs,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Keeps the load generator off the server's core. */
export function pinSelf(core: number): void {
  if (hasTaskset()) spawnSync('taskset', ['-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
}

function hasTaskset(): boolean {
  try {
    readFileSync('/usr/bin/taskset');
    return true;
  } catch {
    return false;
  }
}

/** Memory of a server process after a full GC (see gc-hook.ts). */
export interface MemoryReading {
  rss: number;
  /** Anonymous resident memory: what the process allocated (V8 heap, malloc, buffers). */
  rssAnon: number;
  /** File-backed resident memory: code the kernel may drop and reload. */
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { size: number; used: number }>;
}

export async function memoryAfterGc(pid: number): Promise<MemoryReading> {
  const file = `/tmp/orbit-bench-mem-${pid}.json`;
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    try {
      const m = JSON.parse(readFileSync(file, 'utf8'));
      rmSync(file, { force: true });
      return m;
    } catch {
      /* not written yet */
    }
  }
  throw new Error('the server did not report its memory');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('processor')).length;
  const mem = Math.round(
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024,
  );
  return `${cpu}, ${cores} cores, ${mem} GiB, Node ${process.version}`;
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const data = await gql(
    url,
    `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
    { i: email, p: password },
  );
  return data.login.accessToken as string;
}

export const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's running sum and count of SQL statements for one named operation (from /metrics, METRICS=true). */
export async function statementsOf(url: string, operation: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (suffix: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`orbit_graphql_operation_sql_statements_${suffix}{operation="${operation}"}`))
        ?.split(' ')
        .pop() ?? 0,
    );
  return { sum: read('sum'), count: read('count') };
}
