import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { freePort } from '../tests/helpers/process.js';

export { freePort };

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `src/main.ts` as its own process, pinned to one core when taskset is available. */
export async function startServerProcess(env: Record<string, string>, pinCore: number | null = 0): Promise<ServerProcess & { startMs: number }> {
  const port = await freePort();
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...extra, '--expose-gc', '--import', 'tsx', '--import', './bench/gc-hook.ts', 'src/main.ts'];
  const useTaskset = pinCore !== null && hasTaskset();
  const started = performance.now();
  const child = useTaskset
    ? spawn('taskset', ['-c', String(pinCore), process.execPath, ...args], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 50));
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
export async function memoryAfterGc(pid: number): Promise<{ rss: number; heapUsed: number; external: number; arrayBuffers: number }> {
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

/** Resident memory of a process, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
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

export async function registerUser(url: string, tag: string) {
  const email = `${tag}-${Math.random().toString(36).slice(2)}@bench.example`;
  const password = 'bench-password-42';
  const data = await gql(url, `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { accessToken refreshToken user { id } } }`, { e: email, p: password });
  return { email, password, token: data.register.accessToken as string, userId: data.register.user.id as string };
}

export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  const mem = Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024);
  return `${cpu}, ${cores} cores, ${mem} GiB, Node ${process.version}`;
}
