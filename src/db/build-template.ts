// `npm run build` runs this after compiling: it packs a migrated, empty PGlite data directory
// (see template.ts). Run from dist/, so the template sits beside the build.
import { PGlite } from '@electric-sql/pglite';
import { createDb } from './client.js';
import { runMigrations } from './migrate.js';
import { removeTemplate, templateFile, writeTemplate } from './template.js';

const started = performance.now();
removeTemplate(); // built from scratch, never from the last build's template
const config = { pgliteDir: undefined, DB_POOL_MAX: 1, DB_STATEMENT_TIMEOUT_MS: 60_000 };
const database = await createDb(config);
await runMigrations(database, config);
const client = (database as unknown as { client: PGlite }).client;
const dump = await client.dumpDataDir('gzip');
writeTemplate(await dump.arrayBuffer());
await database.close();
console.log(
  `packed a migrated PGlite data directory into ${templateFile} (${Math.round(dump.size / 1024)} KB, ${Math.round(performance.now() - started)} ms)`,
);
