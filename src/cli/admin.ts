import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createApp } from '../graphql/app.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { createDb } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { runMigrations } from '../db/migrate.js';
import { createLogger } from '../ops/logger.js';
import { createServices } from '../modules/index.js';
import { AppError } from '../shared/errors.js';
import { createMailer } from '../shared/mailer.js';

const USAGE = `Usage:
  npm run cli -- user:create --email E --password P [--name N] [--admin]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'user:create') {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
    },
  });
  if (!values.email || !values.password) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'development');
  const database = await createDb(config);
  try {
    await runMigrations(database, config);
    const app = createApp(
      config,
      database,
      createMailer({ from: config.MAIL_FROM, outboxDir: config.outboxDir, logger }),
      logger,
    );
    const user = await createServices(app).admin.createUser({
      email: values.email,
      password: values.password,
      name: values.name,
      admin: values.admin,
    });
    console.log(`created ${user.role === 'ADMIN' ? 'admin' : 'user'} ${user.email} (${user.id})`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`${String(error.extensions.code)}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof DataDirLockedError ? error.message : error);
  process.exit(1);
}
