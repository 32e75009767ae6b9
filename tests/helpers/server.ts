import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import type { OperationReport } from '../../src/ops/operation-reports.js';
import { type OrbitServer, createServer } from '../../src/http/server.js';
import { type GqlClient, createClient } from './client.js';

export interface TestServer extends GqlClient {
  url: string;
  server: OrbitServer;
  /** Emails written to the outbox, oldest first. */
  outbox(): Array<{ kind: string; to: string; subject: string; text: string }>;
  /** Runs fn and returns the reports of the operations it made. */
  reports<T>(fn: () => Promise<T>): Promise<{ result: T; reports: OperationReport[] }>;
  close(): Promise<void>;
}

/** A fresh database for one test file: a copy of the migrated PGlite template, or a new PostgreSQL database. */
export async function freshDatabase(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `orbit_t_${randomBytes(6).toString('hex')}`;
    const sql = postgres(admin, { max: 1, onnotice: () => {} });
    await sql.unsafe(`create database ${name}`);
    await sql.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      // A server database needs its own SECRETS_KEY (one kept in DATA_DIR would not follow it).
      env: { DATABASE_URL: url.toString(), SECRETS_KEY: 'ab'.repeat(32) },
      drop: async () => {
        const s = postgres(admin, { max: 1, onnotice: () => {} });
        await s.unsafe(`drop database if exists ${name} with (force)`);
        await s.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'orbit-test-'));
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const db = await freshDatabase();
  const outboxDir = mkdtempSync(join(tmpdir(), 'orbit-outbox-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Cheap hashing: only the tests of password hashing use the production parameters.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRETS_KEY: randomBytes(32).toString('hex'),
    MAIL_OUTBOX_DIR: outboxDir,
    ...db.env,
    ...overrides,
  });
  const server = await createServer(config);
  const url = await server.listen(0, '127.0.0.1');
  const client = createClient(`${url}/graphql`);
  return {
    ...client,
    url,
    server,
    outbox() {
      return readdirSync(outboxDir)
        .sort()
        .map((f) => JSON.parse(readFileSync(join(outboxDir, f), 'utf8')));
    },
    async reports(fn) {
      const reports: OperationReport[] = [];
      const listener = (r: OperationReport) => reports.push(r);
      server.reports.on('operation', listener);
      try {
        return { result: await fn(), reports };
      } finally {
        server.reports.off('operation', listener);
      }
    },
    async close() {
      await server.stop();
      await db.drop();
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}
