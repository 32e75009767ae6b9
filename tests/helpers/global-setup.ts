import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

/**
 * PGlite: one migrated data directory made once per run; each test file starts from a copy
 * (reopening a directory takes ~0.5 s, a new migrated instance ~3 s). PostgreSQL: each file makes
 * its own database, so nothing is shared here.
 */
export default async function setup(project: TestProject) {
  // The runtime under test, once per run (npm scripts run the pinned Node from node_modules/.bin).
  console.log(`Orbit tests on Node ${process.version}`);
  if (process.env.TEST_DATABASE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'orbit-template-'));
  const config = { pgliteDir: dir, DB_POOL_MAX: 1, DB_STATEMENT_TIMEOUT_MS: 5000 };
  const database = await createDb(config);
  await runMigrations(database, config);
  await database.close();
  project.provide('pgliteTemplate', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
