import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { freePort } from '../helpers/process.js';

/**
 * A private PostgreSQL cluster for one fault-test file: Debian's binaries, initdb into a temporary
 * directory as the `postgres` user, a free port. It can be paused (SIGSTOP to every process of the
 * cluster), restarted `-m fast`, and have one backend killed, without touching the shared server.
 */
export interface Cluster {
  url: string;
  port: number;
  /** SQL on the cluster as its superuser (a fresh connection each call). */
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  pause(): void;
  resume(): void;
  restart(): void;
  stop(): void;
}

const BIN = process.env.PG_BIN ?? findBin();

function findBin(): string {
  const versions = spawnSync('ls', ['/usr/lib/postgresql']).stdout.toString().trim().split('\n').filter(Boolean);
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${newest}/bin`;
}

/** Runs a PostgreSQL binary as the postgres user (initdb refuses root). */
function asPostgres(cmd: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : join(BIN, cmd), asRoot ? ['-u', 'postgres', '--', join(BIN, cmd), ...args] : args, {
    stdio: 'pipe',
  });
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pids = (): number[] => {
    const main = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(main)])
      .stdout.toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    return [main, ...children.map(Number)];
  };
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids()) process.kill(pid, sig);
  };
  return {
    url,
    port,
    async sql<T>(text: string) {
      const c = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        return (await c.unsafe(text)) as unknown as T[];
      } finally {
        await c.end({ timeout: 1 });
      }
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    restart: () =>
      asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-m', 'fast', '-w', 'restart']),
    stop() {
      try {
        signal('SIGCONT');
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** What a fault-test file started, stopped in order: replicas first, then the cluster they use. */
export class Teardown {
  private readonly early: Array<{ kill(): Promise<unknown> }> = [];
  private readonly late: Array<{ stop(): void }> = [];
  first<T extends { kill(): Promise<unknown> }>(thing: T): T {
    this.early.push(thing);
    return thing;
  }
  last<T extends { stop(): void }>(thing: T): T {
    this.late.push(thing);
    return thing;
  }
  async run(): Promise<void> {
    await Promise.all(this.early.map((r) => r.kill()));
    for (const c of this.late) c.stop();
  }
}
