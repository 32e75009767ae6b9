import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createClient, uniqueEmail } from './helpers/client.js';
import { freePort, runTs, waitForReady } from './helpers/process.js';
import { freshDatabase } from './helpers/server.js';
import { closeAll } from './helpers/teardown.js';

// The real entry points (src/main.ts, src/cli/admin.ts) as separate processes, on PGlite or PostgreSQL.
let env: Record<string, string>;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'orbit-proc-'));
  // On PostgreSQL the data dir still keeps the development JWT secret and the outbox.
  env = db.env.DATABASE_URL ? { ...db.env, DATA_DIR: dataDir } : db.env;
  cleanup = async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
});
afterAll(() => closeAll(cleanup));

async function start() {
  const port = await freePort();
  const proc = runTs('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url);
  return { proc, url, client: createClient(`${url}/graphql`) };
}

describe('processes', () => {
  it(
    'user:create makes an admin; the server keeps data and tokens across a restart; SIGTERM exits 0',
    { timeout: 90_000 },
    async () => {
      const email = uniqueEmail('cli-admin');
      const cli = runTs('src/cli/admin.ts', ['user:create', '--email', email, '--password', PASSWORD, '--admin'], env);
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toContain(`created admin ${email}`);
      const dupe = runTs('src/cli/admin.ts', ['user:create', '--email', email, '--password', PASSWORD], env);
      expect(await dupe.exited).toBe(1);
      expect(dupe.output()).toContain('CONFLICT');

      const first = await start();
      const login = await first.client.ok(
        `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken user { role emailVerified } } }`,
        { i: email, p: PASSWORD },
      );
      expect(login.login.user).toEqual({ role: 'ADMIN', emailVerified: true });
      const token = login.login.accessToken;
      first.proc.child.kill('SIGTERM');
      const started = Date.now();
      const code = await first.proc.exited;
      if (code !== 0) console.log(first.proc.output());
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);

      const second = await start();
      // Same data, and the development JWT secret kept in DATA_DIR: the old token still works.
      expect((await second.client.ok(`{ me { email } users { totalCount } }`, {}, { token })).me.email).toBe(email);
      second.proc.child.kill('SIGINT');
      expect(await second.proc.exited).toBe(0);
    },
  );

  it('stops at start-up with one message listing every bad variable', { timeout: 30_000 }, async () => {
    const bad = runTs('src/main.ts', [], {
      ...env,
      PORT: 'seventy',
      DB_POOL_MAX: '0',
      NODE_ENV: 'production',
      JWT_SECRET: '',
    });
    expect(await bad.exited).toBe(1);
    const out = bad.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toContain('PORT');
    expect(out).toContain('DB_POOL_MAX');
    expect(out).toContain('JWT_SECRET: required in production');
    expect(out).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });
});

describe('start-up problems', () => {
  const oneLine = (out: string) => {
    const lines = out.trim().split('\n');
    expect(lines, out).toHaveLength(1);
    expect(out).not.toMatch(/\n\s+at |Error:/);
    return lines[0];
  };

  it('a port in use: one line, before any database is opened', { timeout: 30_000 }, async () => {
    const holder = createNetServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'orbit-port-'));
    try {
      const proc = runTs('src/main.ts', [], { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '' });
      expect(await proc.exited).toBe(1);
      expect(oneLine(proc.output())).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use`));
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'an unreachable server and a missing database: one line each, saying what to do',
    { timeout: 30_000 },
    async () => {
      const closed = await freePort();
      const unreachable = runTs('src/main.ts', [], {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/orbit`,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
      });
      expect(await unreachable.exited).toBe(1);
      expect(oneLine(unreachable.output())).toContain(`No PostgreSQL server answers at 127.0.0.1:${closed}`);
      const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
      const missing = new URL(admin);
      missing.pathname = '/orbit_missing_database';
      const proc = runTs('src/main.ts', [], {
        DATABASE_URL: missing.toString(),
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
      });
      expect(await proc.exited).toBe(1);
      expect(oneLine(proc.output())).toContain('The database "orbit_missing_database" does not exist');
    },
  );

  it('reads .env from the working directory; the environment wins over it', { timeout: 60_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'orbit-dotenv-'));
    const port = await freePort();
    // .env names a port that is taken; the environment's PORT wins over it, the rest comes from .env.
    writeFileSync(join(cwd, '.env'), `PORT=1\nHOST=127.0.0.1\nLOG_LEVEL=warn\nDATA_DIR=${join(cwd, 'data')}\n`);
    const proc = runTs('src/main.ts', [], { ...env, DATA_DIR: '', PORT: String(port), HOST: '', LOG_LEVEL: '' }, cwd);
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 40_000);
      expect(existsSync(join(cwd, 'data'))).toBe(true);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
