// The entry point. Nothing heavy is imported before the configuration has been read and checked,
// so a bad value is reported at once; the port is checked before the database is opened; the
// database opens while the server's modules load.
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLogger } from './ops/logger.js';
import { guardStrayRejections } from './ops/stray-rejections.js';
import { watchStalls } from './ops/stall-watchdog.js';
import { ConfigError, loadConfig } from './shared/config.js';
import { StartupError, databaseProblem, ensurePortFree, loadDotEnv } from './ops/startup.js';

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

async function start() {
  const envFile = loadDotEnv();
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'development');
  if (envFile) logger.info({ file: envFile }, 'read .env');
  await ensurePortFree(config.PORT, config.HOST);
  if (!config.DATABASE_URL)
    logger.info(
      { dir: config.pgliteDir ?? 'memory' },
      `opening the embedded database (PGlite) in ${config.pgliteDir ?? 'memory'}`,
    );
  // The database opens (PGlite compiles its WebAssembly, reads its files) while the server's modules load.
  const opening = import('./db/client.js').then(({ createDb }) => createDb(config));
  opening.catch(() => {});
  const serverModule = import('./http/server.js');
  let server;
  try {
    const [database, { createServer }] = await Promise.all([opening, serverModule]);
    server = await createServer(config, { logger, database, ownDatabase: true });
  } catch (error) {
    const problem = databaseProblem(error, config.DATABASE_URL);
    if (problem) throw problem;
    throw error;
  }
  const url = await server.listen();
  logger.info(
    { url: `${url}/graphql`, database: server.app.database.kind, ide: !config.production },
    `Orbit is serving ${url}/graphql on ${server.app.database.kind === 'pglite' ? `embedded PGlite (${config.DATA_DIR})` : 'PostgreSQL'}${config.production ? '' : `; GraphiQL at ${url}/graphiql`}`,
  );
  return { server, logger };
}

/** After SHUTDOWN_TIMEOUT_MS (requests cut), how long closing the rest may take before the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 5_000;

let started: Awaited<ReturnType<typeof start>>;
try {
  started = await start();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof StartupError || error instanceof DataDirLockedError) fail(error.message);
  throw error;
}
const { server, logger } = started;
guardStrayRejections(logger);
// A watchdog thread kills the process if this thread stays blocked (a hung embedded database).
if (server.app.config.STALL_EXIT_S > 0) watchStalls(server.app.config.STALL_EXIT_S * 1000);

// First signal: finish in-flight requests (SHUTDOWN_TIMEOUT_MS at most, then their connections are
// closed) and close the database; the process exits by itself 5 s after that deadline. Second: exit now.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const limit = server.app.config.SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS;
    const force = setTimeout(() => {
      logger.error({ afterMs: limit }, 'shutdown did not finish: exiting');
      process.exit(1);
    }, limit);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
