import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_SECRETS_KEY, freePort, waitForReady } from '../helpers/process.js';

/** A replica: the built server (`dist/main.js`, as `npm start` runs it) as its own process. */
export interface Replica {
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface ReplicaOptions {
  /** Runs the process with its clock this many seconds ahead (libfaketime). */
  clockAheadS?: number;
  env?: Record<string, string>;
}

/** `databaseUrl` null: the embedded database, in `options.env.DATA_DIR`. */
export async function startReplica(databaseUrl: string | null, options: ReplicaOptions = {}): Promise<Replica> {
  if (!existsSync(`${ROOT}/dist/main.js`)) throw new Error('dist/main.js is missing: run `npm run build`');
  const port = await freePort();
  const faked: Record<string, string> = options.clockAheadS
    ? { LD_PRELOAD: FAKETIME, FAKETIME: `+${options.clockAheadS}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1' }
    : {};
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      SECRETS_KEY: TEST_SECRETS_KEY,
      JWT_SECRET: 'f'.repeat(64),
      PORT: String(port),
      HOST: '127.0.0.1',
      ...faked,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(url, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${out}`);
  }
  return {
    url,
    child,
    output: () => out,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
