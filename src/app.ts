import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import { Passwords } from './modules/accounts/passwords.js';
import type { TokenSettings } from './modules/accounts/tokens.js';
import { ViewerCache } from './modules/accounts/viewer-cache.js';
import type { Mailer } from './shared/mailer.js';
import { EventHub } from './shared/pubsub.js';

/** What every service gets: configuration and the shared resources of one server. */
export interface App {
  config: Config;
  database: Database;
  db: Db;
  mailer: Mailer;
  logger: Logger;
  passwords: Passwords;
  tokens: TokenSettings;
  /** Events from every replica, through LISTEN/NOTIFY. */
  events: EventHub;
  /** Verified access tokens, until their session or user changes. */
  viewers: ViewerCache;
}

export function createApp(config: Config, database: Database, mailer: Mailer, logger: Logger): App {
  const events = new EventHub(logger);
  const viewers = new ViewerCache({ maxEntries: config.VIEWER_CACHE_MAX, maxAgeMs: config.VIEWER_CACHE_TTL_S * 1000 });
  viewers.attach(events);
  return {
    config,
    database,
    db: database.db,
    mailer,
    logger,
    events,
    viewers,
    passwords: new Passwords(
      { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM },
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

/** Sends mail after the transaction that decided on it has committed; a failure is logged, not thrown. */
export async function sendAll(app: App, mails: Parameters<Mailer['send']>[0][]): Promise<void> {
  for (const mail of mails) {
    try {
      await app.mailer.send(mail);
    } catch (error) {
      app.logger.error({ err: error, kind: mail.kind }, 'email could not be sent');
    }
  }
}
