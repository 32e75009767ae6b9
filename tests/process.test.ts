import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createClient, uniqueEmail } from './helpers/client.js';
import { freePort, runTs, waitForReady } from './helpers/process.js';
import { freshDatabase } from './helpers/server.js';

// The real entry points (src/main.ts, src/cli.ts) as separate processes, on PGlite or PostgreSQL.
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
afterAll(() => cleanup?.());

async function start() {
  const port = await freePort();
  const proc = runTs('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url);
  return { proc, url, client: createClient(`${url}/graphql`) };
}

describe('processes', () => {
  it('user:create makes an admin; the server keeps data and tokens across a restart; SIGTERM exits 0', { timeout: 90_000 }, async () => {
    const email = uniqueEmail('cli-admin');
    const cli = runTs('src/cli.ts', ['user:create', '--email', email, '--password', PASSWORD, '--admin'], env);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(`created admin ${email}`);
    const dupe = runTs('src/cli.ts', ['user:create', '--email', email, '--password', PASSWORD], env);
    expect(await dupe.exited).toBe(1);
    expect(dupe.output()).toContain('CONFLICT');

    const first = await start();
    const login = await first.client.ok(`mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken user { role emailVerified } } }`, { i: email, p: PASSWORD });
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
  });

  it('stops at start-up with one message listing every bad variable', { timeout: 30_000 }, async () => {
    const bad = runTs('src/main.ts', [], { ...env, PORT: 'seventy', DB_POOL_MAX: '0', NODE_ENV: 'production', JWT_SECRET: '' });
    expect(await bad.exited).toBe(1);
    const out = bad.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toContain('PORT');
    expect(out).toContain('DB_POOL_MAX');
    expect(out).toContain('JWT_SECRET: required in production');
    expect(out).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });
});
