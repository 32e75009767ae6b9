import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point of this repository as its own process, the way npm scripts do. */
/** A fixed 32-byte key for the processes the tests start on a PostgreSQL server. */
export const TEST_SECRETS_KEY = 'ab'.repeat(32);

export function runTs(entry: string, args: string[], env: Record<string, string>, cwd?: string): Running {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // tsx by path: the working directory may be elsewhere.
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(root, entry), ...args], {
    cwd: cwd ?? root,
    // An empty value leaves the variable out entirely (so that .env may set it).
    env: Object.fromEntries(
      Object.entries({
        ...process.env,
        TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        // Required with DATABASE_URL (a key kept in DATA_DIR would not follow the database).
        ...(env.DATABASE_URL ? { SECRETS_KEY: TEST_SECRETS_KEY } : {}),
        ...env,
      }).filter(([, v]) => v !== ''),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitForReady(url: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}
