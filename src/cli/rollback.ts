import { loadConfig } from '../shared/config.js';
import { createDb } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { rollbackMigrations } from '../db/rollback.js';

/**
 * `npm run db:rollback [-- --to <tag> | --all]`: runs the down scripts of applied migrations, newest
 * first: one step by default, down to <tag> (kept) with --to, or every migration with --all.
 */
const args = process.argv.slice(2);
const at = args.indexOf('--to');
const to = args.includes('--all') ? null : at >= 0 ? args[at + 1] : undefined;
if (at >= 0 && !to) {
  console.error('usage: npm run db:rollback [-- --to <tag> | --all]');
  process.exit(2);
}
try {
  const config = loadConfig();
  const database = await createDb(config);
  try {
    const done = await rollbackMigrations(database, config, { to });
    if (done.length === 0) console.log('nothing to roll back');
    for (const step of done) console.log(`rolled back ${step.tag}: ${step.note}`);
  } finally {
    await database.close();
  }
} catch (error) {
  if (error instanceof DataDirLockedError || (error as Error).name === 'ConfigError') {
    console.error((error as Error).message);
    process.exit(1);
  }
  console.error(`rollback failed: ${(error as Error).message}`);
  process.exit(1);
}
