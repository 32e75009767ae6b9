import { loadConfig } from '../shared/config.js';
import { createDb } from './client.js';
import { runMigrations } from './migrate.js';

const config = loadConfig();
const database = await createDb(config);
await runMigrations(database, config);
await database.close();
console.log(`migrations applied (${database.kind})`);
