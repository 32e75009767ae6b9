import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { Passwords, ViewerCache } from '../modules/accounts/index.js';
import { SEARCH_NOT_READY } from '../modules/search/index.js';
import type { App } from '../shared/app.js';
import type { Config } from '../shared/config.js';
import { EventBus } from '../shared/event-bus.js';
import { JobQueue } from '../shared/jobs.js';
import type { Mailer } from '../shared/mailer.js';

/** Builds the shared resources of one server: configuration, connections, mail, the bus, accounts' caches. */
export function createApp(config: Config, database: Database, mailer: Mailer, logger: Logger): App {
  const bus = new EventBus(
    logger,
    config.BUS_POLL_MS,
    config.WS_QUEUE_MAX,
    config.EVENT_BUS_URL
      ? { url: config.EVENT_BUS_URL, stream: config.EVENT_BUS_STREAM, retentionS: config.BUS_RETENTION_S }
      : null,
  );
  const viewers = new ViewerCache({ maxEntries: config.VIEWER_CACHE_MAX, maxAgeMs: config.VIEWER_CACHE_TTL_S * 1000 });
  viewers.attach(bus);
  return {
    config,
    database,
    db: database.db,
    mailer,
    logger,
    bus,
    jobs: new JobQueue(
      database,
      { pollMs: config.JOBS_POLL_MS, maxAttempts: config.JOBS_MAX_ATTEMPTS, leaseSeconds: config.JOBS_LEASE_S },
      logger,
    ),
    viewers,
    // Set once the server has looked at the database (server.ts: prepareSemanticIndex).
    semantic: { ...SEARCH_NOT_READY },
    passwords: new Passwords(
      {
        memoryCost: config.ARGON2_MEMORY_KIB,
        timeCost: config.ARGON2_TIME_COST,
        parallelism: config.ARGON2_PARALLELISM,
      },
      config.ARGON2_CONCURRENCY || undefined,
    ),
    tokens: {
      secret: config.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_S,
    },
  };
}
