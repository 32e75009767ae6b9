import { loadConfig } from '../shared/config.js';
import { createDb } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { runMigrations } from '../db/migrate.js';

try {
  const config = loadConfig();
  const database = await createDb(config);
  await runMigrations(database, config);
  await database.close();
  console.log(`migrations applied (${database.kind})`);
} catch (error) {
  // A data directory held by a running server: one line naming it, not a stack.
  if (error instanceof DataDirLockedError || (error as Error).name === 'ConfigError') {
    console.error((error as Error).message);
    process.exit(1);
  }
  throw error;
}
